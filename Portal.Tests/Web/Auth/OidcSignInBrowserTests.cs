using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Browser;

namespace Portal.Tests.Web.Auth;

/// <summary>
/// The Entra sign-in path (Microsoft.Identity.Web) end to end in Chromium against a real OpenID Connect server.
/// Only what is Entra-specific is relaxed, and only here: Entra's issuer validator, HTTPS metadata on loopback,
/// the response mode and type (the test server does the code flow with a query string; Entra also a form post)
/// and the metadata address (Entra's authorities end in /v2.0).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OidcSignInBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private OidcTestServer oidc = default!;
    private TestPortal portal = default!;

    public async Task InitializeAsync()
    {
        oidc = await OidcTestServer.StartAsync();
        portal = await TestPortal.StartAsync(
            new Dictionary<string, string>
            {
                ["AzureAd:Instance"] = "",
                ["AzureAd:TenantId"] = "",
                ["AzureAd:Authority"] = oidc.Issuer,
                ["AzureAd:ClientId"] = "portal-tests",
                ["AzureAd:ClientSecret"] = "portal-tests-secret",
            },
            overrideServices: services => services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o =>
            {
                // Identity.Web appends Entra's "/v2.0" to the authority; the test server has no such path.
                o.Authority = oidc.Issuer;
                o.MetadataAddress = oidc.Issuer + "/.well-known/openid-configuration";
                o.RequireHttpsMetadata = false;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.TokenValidationParameters.IssuerValidator = null;
                o.TokenValidationParameters.ValidIssuer = oidc.Issuer;
            }));
    }

    public async Task DisposeAsync()
    {
        await browser.CloseTestPagesAsync();
        await portal.DisposeAsync();
        await oidc.DisposeAsync();
    }

    [Fact]
    public async Task ManagerRole_SignsInThroughTheProvider_AndBecomesAPortalManager()
    {
        await oidc.NextUserAsync("oid-olivia", "Olivia Okafor", "olivia@contoso.test", "Portal.Manager");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(portal.BaseAddress.ToString());

        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Welcome, Olivia");
        await Assertions.Expect(page.Locator("#new-project")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("#demo-mode-chip")).ToHaveCountAsync(0);
        Assert.StartsWith(portal.BaseAddress.ToString(), page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("oidc-manager-home") });
    }

    [Fact]
    public async Task NoRole_GetsAClearAccessDeniedPage()
    {
        await oidc.NextUserAsync("oid-nora", "Nora Noroles", "nora@contoso.test");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(portal.BaseAddress.ToString());

        await Assertions.Expect(page.Locator("#access-denied-title")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("You are signed in as Nora Noroles")).ToBeVisibleAsync();
        Assert.EndsWith("/access-denied?ReturnUrl=%2F", page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("oidc-access-denied") });
    }
}
