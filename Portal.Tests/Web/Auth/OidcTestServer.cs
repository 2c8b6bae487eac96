using System.Text.Json;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Auth;

/// <summary>
/// A real OpenID Connect provider (npm oauth2-mock-server) on 127.0.0.1, run by node from
/// Portal.Tests/Web/Auth/oidc-server. It exits when its stdin closes, so it never outlives the tests.
/// </summary>
public sealed class OidcTestServer : IAsyncDisposable
{
    private readonly NodeServer server;

    private OidcTestServer(NodeServer server, string issuer)
    {
        this.server = server;
        Issuer = issuer;
    }

    public string Issuer { get; }

    public static async Task<OidcTestServer> StartAsync()
    {
        var (server, ready) = await NodeServer.StartAsync(Path.Combine(RepoPaths.Root, "Portal.Tests", "Web", "Auth", "oidc-server"), "oauth2-mock-server", "LISTENING ");
        return new OidcTestServer(server, ready["LISTENING ".Length..].TrimEnd('/'));
    }

    /// <summary>Whoever signs in next gets these claims (roles may be empty: a user the app gave no role).</summary>
    public async Task NextUserAsync(string sub, string name, string email, params string[] roles)
    {
        await server.WriteLineAsync(JsonSerializer.Serialize(new { sub, name, email, roles }));
        await server.ReadLineAsync($"NEXT {sub}");
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
