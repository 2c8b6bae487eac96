using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Auth;

/// <summary>
/// A real OpenID Connect provider (npm oauth2-mock-server) on 127.0.0.1, run by node from
/// Portal.Tests/Web/Auth/oidc-server. It exits when its stdin closes, so it never outlives the tests.
/// </summary>
public sealed class OidcTestServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();

    private OidcTestServer(Process process) => this.process = process;

    public string Issuer { get; private set; } = "";

    public static async Task<OidcTestServer> StartAsync()
    {
        var folder = Path.Combine(RepoPaths.Root, "Portal.Tests", "Web", "Auth", "oidc-server");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "oauth2-mock-server")))
        {
            throw new InvalidOperationException($"The test OIDC server is not installed: run `npm ci --prefix {folder}` (scripts/test.sh does).");
        }

        var start = new ProcessStartInfo("node", "server.mjs")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var server = new OidcTestServer(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server.lines.Writer.TryWrite(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await server.ReadLineAsync("LISTENING ");
        server.Issuer = ready["LISTENING ".Length..].TrimEnd('/');
        return server;
    }

    /// <summary>Whoever signs in next gets these claims (roles may be empty: a user the app gave no role).</summary>
    public async Task NextUserAsync(string sub, string name, string email, params string[] roles)
    {
        await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new { sub, name, email, roles }));
        await process.StandardInput.FlushAsync();
        await ReadLineAsync($"NEXT {sub}");
    }

    private async Task<string> ReadLineAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var line = await lines.Reader.ReadAsync(timeout.Token);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }
}
