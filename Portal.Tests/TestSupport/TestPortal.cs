using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Tests.TestSupport;

/// <summary>The real portal on Kestrel at 127.0.0.1 with a random port and its own SQLite file; stops when disposed.</summary>
public sealed class TestPortal : IAsyncDisposable
{
    private TestPortal(WebApplication app, Uri baseAddress, string folder)
    {
        App = app;
        BaseAddress = baseAddress;
        Folder = folder;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public string Folder { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TestPortal> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, string environment = "Development", Action<IServiceCollection>? overrideServices = null)
    {
        var folder = TempFolder.Create();
        var app = PortalApp.Build(Arguments(folder, environment, settings), services =>
        {
            // Open browser tabs keep circuits alive; a test should not wait the default 30 s for them on stop.
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            overrideServices?.Invoke(services);
        });
        await app.PreparePortalDatabaseAsync();
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            // The demo serves a re-test instead of the next task 2% of the time, at random (RetestQueue): a test that takes
            // "the next task" must not get a roll of the dice. Re-tests have their own service tests.
            await db.DriftSettings.ExecuteUpdateAsync(s => s.SetProperty(d => d.RetestRatePercent, 0));
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestPortal(app, new Uri(address), folder);
    }

    public static string[] Arguments(string folder, string environment, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>
        {
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(folder, "portal.db")}",
            ["Portal:Jobs:RunServer"] = "false",
            ["Portal:DataFiles:Path"] = Path.Combine(folder, "data-files"),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
            ["Logging:Console:FormatterName"] = "simple",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return ["--environment", environment, "--urls", "http://127.0.0.1:0", .. all.Select(kv => $"--{kv.Key}={kv.Value}")];
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so tests see the 302s.</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = BaseAddress,
        };

    /// <summary>Signs in as a seeded demo user through the real sign-in form, as a browser would.</summary>
    public async Task<HttpClient> SignInAsync(string demoUserKey)
    {
        var client = CreateClient();
        var page = await client.GetStringAsync("/account/signin");
        var token = Html.HiddenInput(page, "__RequestVerificationToken");
        var userId = Html.UserIdFor(page, demoUserKey);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["userId"] = userId, ["returnUrl"] = "/",
        });
        using var response = await client.PostAsync("/account/demo-signin", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TempFolder.Delete(Folder);
    }
}

internal static class Html
{
    public static string HiddenInput(string html, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, $"name=\"{name}\"[^>]*value=\"([^\"]+)\"");
        Assert.True(match.Success, $"No hidden input {name} on the page.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The user id in the sign-in form whose button names the demo user (data-user="demo:KEY").</summary>
    public static string UserIdFor(string html, string demoUserKey)
    {
        var forms = html.Split("<form", StringSplitOptions.None);
        var form = forms.Single(f => f.Contains($"data-user=\"demo:{demoUserKey}\"", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(form, "name=\"userId\" value=\"([^\"]+)\"");
        Assert.True(match.Success, $"No user id for demo user {demoUserKey}.");
        return match.Groups[1].Value;
    }
}
