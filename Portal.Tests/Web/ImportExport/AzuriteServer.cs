using System.Diagnostics;
using System.Threading.Channels;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// Azurite's blob service (npm, the Azure Storage emulator) on 127.0.0.1, in memory, run by node from
/// Portal.Tests/Web/ImportExport/azurite. It stops when its stdin closes, so it never outlives the tests.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's published development account (in its documentation): not a secret.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;

    private AzuriteServer(Process process, int port)
    {
        this.process = process;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var folder = Path.Combine(RepoPaths.Root, "Portal.Tests", "Web", "ImportExport", "azurite");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "azurite")))
        {
            throw new InvalidOperationException($"Azurite is not installed: run `npm ci --prefix {folder}` (scripts/test.sh does).");
        }

        var process = Process.Start(new ProcessStartInfo("node", "server.mjs")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node did not start.");
        var lines = Channel.CreateUnbounded<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.BeginOutputReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await lines.Reader.ReadAsync(timeout.Token);
            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                return new AzuriteServer(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
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
