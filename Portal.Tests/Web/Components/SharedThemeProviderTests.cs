using Bunit;
using MudBlazor;
using Portal.Web.Components.Layout;

namespace Portal.Tests.Web.Components;

public class SharedThemeProviderTests : ComponentTestContext
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RendersWhatMudBlazorsThemeProviderRenders_InBothModes(bool dark)
    {
        var mud = Render<MudThemeProvider>(p => p.Add(c => c.Theme, PortalTheme.Theme).Add(c => c.IsDarkMode, dark));
        var shared = Render<SharedThemeProvider>(p => p.Add(c => c.Theme, PortalTheme.Theme).Add(c => c.IsDarkMode, dark));

        Assert.Contains("--mud-palette-primary", shared.Markup, StringComparison.Ordinal);
        Assert.Equal(mud.Markup, shared.Markup);
    }

    [Fact]
    public void SwitchingToDarkMode_ChangesTheStyles_AndEveryPageSharesOneCopy()
    {
        var first = Render<SharedThemeProvider>(p => p.Add(c => c.Theme, PortalTheme.Theme).Add(c => c.IsDarkMode, false));
        var light = first.Markup;
        first.Render(p => p.Add(c => c.IsDarkMode, true));
        Assert.NotEqual(light, first.Markup);

        // A second page (circuit) in dark mode renders the same styles, and the text is kept once for all of them.
        var second = Render<SharedThemeProvider>(p => p.Add(c => c.Theme, PortalTheme.Theme).Add(c => c.IsDarkMode, true));
        Assert.Equal(first.Markup, second.Markup);
        var styles = new string(second.Markup.AsSpan());
        Assert.Same(SharedThemeProvider.Share(styles), SharedThemeProvider.Share(new string(styles.AsSpan())));
    }
}
