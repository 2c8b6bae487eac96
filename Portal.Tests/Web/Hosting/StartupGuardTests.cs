using Portal.Tests.TestSupport;
using Portal.Web.Hosting;

namespace Portal.Tests.Web.Hosting;

/// <summary>Configurations that must refuse to start.</summary>
public class StartupGuardTests
{
    private static readonly Dictionary<string, string> Entra = new()
    {
        ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
        ["AzureAd:TenantId"] = "00000000-0000-0000-0000-000000000001",
        ["AzureAd:ClientId"] = "00000000-0000-0000-0000-000000000002",
    };

    [Fact]
    public void Production_WithoutAzureAd_RefusesDemoMode()
    {
        var folder = TempFolder.Create();
        var error = Assert.Throws<InvalidOperationException>(() => PortalApp.Build(TestPortal.Arguments(folder, "Production")));
        Assert.Contains("never allowed in Production", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_EvenWithTheDemoFlag_RefusesDemoMode()
    {
        var folder = TempFolder.Create();
        Assert.Throws<InvalidOperationException>(() => PortalApp.Build(TestPortal.Arguments(folder, "Production",
            new Dictionary<string, string> { ["Portal:Demo:AllowOutsideDevelopment"] = "true" })));
    }

    [Fact]
    public async Task Staging_DemoModeNeedsTheExplicitFlag()
    {
        var folder = TempFolder.Create();
        var error = Assert.Throws<InvalidOperationException>(() => PortalApp.Build(TestPortal.Arguments(folder, "Staging")));
        Assert.Contains("Portal:Demo:AllowOutsideDevelopment", error.Message, StringComparison.Ordinal);

        await using var app = PortalApp.Build(TestPortal.Arguments(folder, "Staging", new Dictionary<string, string> { ["Portal:Demo:AllowOutsideDevelopment"] = "true" }));
        Assert.NotNull(app);
    }

    [Fact]
    public async Task Production_WithEntra_Starts_ButNotWithDetailedErrors()
    {
        var folder = TempFolder.Create();
        await using (var app = PortalApp.Build(TestPortal.Arguments(folder, "Production", Entra)))
        {
            Assert.NotNull(app);
        }

        var detailed = new Dictionary<string, string>(Entra) { ["DetailedErrors"] = "true" };
        var error = Assert.Throws<InvalidOperationException>(() => PortalApp.Build(TestPortal.Arguments(folder, "Production", detailed)));
        Assert.Contains("DetailedErrors", error.Message, StringComparison.Ordinal);
    }
}
