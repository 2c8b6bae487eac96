using Bunit;
using Portal.Web.Components.Layout;

namespace Portal.Tests.Web.Components;

public class NavMenuTests : ComponentTestContext
{
    [Fact]
    public async Task Admin_SeesTheJobDashboardLink()
    {
        await SignInAsync("admin");
        var cut = Render<NavMenu>();
        Assert.Contains("Background jobs", cut.Markup, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("a[href='/jobs']"));
    }

    [Fact]
    public async Task Annotator_DoesNotSeeAdministration()
    {
        await SignInAsync("annotator2");
        var cut = Render<NavMenu>();
        Assert.Contains("Home", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Background jobs", cut.Markup, StringComparison.Ordinal);
    }
}
