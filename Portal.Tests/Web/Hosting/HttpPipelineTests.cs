using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Hosting;

/// <summary>The real app on Kestrel (127.0.0.1) with the demo sign-in and seed, as a newcomer starts it.</summary>
public sealed class HttpPipelineTests : IClassFixture<HttpPipelineTests.Fixture>
{
    private readonly Fixture fixture;

    public HttpPipelineTests(Fixture fixture) => this.fixture = fixture;

    public sealed class Fixture : IAsyncLifetime
    {
        public TestPortal Portal { get; private set; } = default!;

        public async Task InitializeAsync() => Portal = await TestPortal.StartAsync(new Dictionary<string, string> { ["Portal:Auth:RevalidateSeconds"] = "1" });

        public async Task DisposeAsync() => await Portal.DisposeAsync();
    }

    [Fact]
    public async Task Health_ReportsTheDatabase()
    {
        using var client = fixture.Portal.CreateClient();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_Anonymous_GoesToTheDemoUserPicker()
    {
        using var client = fixture.Portal.CreateClient();
        using var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/account/login", home.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        using var login = await client.GetAsync(home.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.StartsWith("/account/signin", login.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_AnonymousSignsIn_NonAdminGetsTheAccessDeniedPage_Recorded_AdminSeesTheDashboard()
    {
        using var anonymous = fixture.Portal.CreateClient();
        using var annotator = await fixture.Portal.SignInAsync("annotator1");
        using var admin = await fixture.Portal.SignInAsync("admin");

        using var signIn = await anonymous.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/account/login", signIn.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        using var refused = await annotator.GetAsync("/jobs/recurring");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/access-denied", refused.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        using var deniedPage = await annotator.GetAsync(refused.Headers.Location);
        Assert.Contains("Sign out", await deniedPage.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var factory = fixture.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "access.denied" && e.ObjectId == "/jobs" && e.Details == "needs the Admin role"));
        }

        using var page = await admin.GetAsync("/jobs/recurring");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("expire-reservations", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/label\r\nX-Injected: 1")]
    [InlineData("/\u0001")]
    public async Task ReturnUrl_WithAControlCharacter_SignsInToHome_NotAServerError(string returnUrl)
    {
        using var client = fixture.Portal.CreateClient();
        using var login = await client.GetAsync($"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal("/account/signin?returnUrl=%2F", login.Headers.Location?.OriginalString);

        var page = await client.GetStringAsync("/account/signin");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Html.HiddenInput(page, "__RequestVerificationToken"),
            ["userId"] = Html.UserIdFor(page, "annotator2"),
            ["returnUrl"] = returnUrl,
        });
        using var response = await client.PostAsync("/account/demo-signin", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ABurstOfPageRequests_IsCutOffWith429AndRetryAfter_OtherPeopleAreUnaffected()
    {
        using var flooder = await fixture.Portal.SignInAsync("reviewer");
        var responses = await Task.WhenAll(Enumerable.Range(0, new Portal.Web.Hosting.RateLimitOptions().RequestBurst + 40).Select(_ => flooder.GetAsync("/")));
        try
        {
            var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(refused);
            Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
            Assert.Contains("Too many requests", await refused[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        using var other = await fixture.Portal.SignInAsync("annotator2");
        using var fine = await other.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task BlazorHub_RefusesAForeignOrigin_AcceptsItsOwn()
    {
        using var client = await fixture.Portal.SignInAsync("annotator1");
        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        foreign.Headers.Add("Origin", "http://evil.example");
        using var refused = await client.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var own = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        own.Headers.Add("Origin", fixture.Portal.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var accepted = await client.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Pages_CarryTheSecurityHeaders()
    {
        using var client = fixture.Portal.CreateClient();
        using var response = await client.GetAsync("/account/signin");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Home_SignedInAnnotator_ShowsTheirProjectWithStartLabeling()
    {
        using var client = await fixture.Portal.SignInAsync("annotator1");
        var html = await client.GetStringAsync("/");
        Assert.Contains("Customer messages", html, StringComparison.Ordinal);
        Assert.Contains("Start labeling", html, StringComparison.Ordinal);
        Assert.DoesNotContain("New project", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoSignIn_WithoutAntiforgeryToken_IsRejected_WithAMessage()
    {
        using var client = fixture.Portal.CreateClient();
        var page = await client.GetStringAsync("/account/signin");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["userId"] = Html.UserIdFor(page, "admin") });
        using var response = await client.PostAsync("/account/demo-signin", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/signin?error=expired", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_KeepsTheUserSignedIn_WithTokenSignsOut()
    {
        using var client = await fixture.Portal.SignInAsync("annotator2");
        using (var forged = await client.PostAsync("/account/signout", new FormUrlEncodedContent([])))
        {
            Assert.Equal("/", forged.Headers.Location?.OriginalString);
        }

        // The access-denied page carries a sign-out form (it answers 403 on purpose).
        using var denied = await client.GetAsync("/access-denied");
        var home = await denied.Content.ReadAsStringAsync();
        using var real = await client.PostAsync("/account/signout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Html.HiddenInput(home, "__RequestVerificationToken"),
        }));
        Assert.Equal("/account/signin?signedOut=1", real.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task DemoSignIn_ForeignReturnUrl_StaysOnThePortal()
    {
        using var client = fixture.Portal.CreateClient();
        var page = await client.GetStringAsync("/account/signin");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Html.HiddenInput(page, "__RequestVerificationToken"),
            ["userId"] = Html.UserIdFor(page, "annotator2"),
            ["returnUrl"] = "//evil.example/steal",
        });
        using var response = await client.PostAsync("/account/demo-signin", form);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task UnknownAddress_GetsTheFriendlyNotFoundPage()
    {
        using var client = await fixture.Portal.SignInAsync("annotator1");
        using var response = await client.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This page does not exist", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledUser_LosesAccessWithoutSigningOut()
    {
        using var client = await fixture.Portal.SignInAsync("reviewer");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        var factory = fixture.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Users.Where(u => u.ExternalId == "demo:reviewer").ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false));
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            using var response = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
        finally
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.Users.Where(u => u.ExternalId == "demo:reviewer").ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, true));
        }
    }
}
