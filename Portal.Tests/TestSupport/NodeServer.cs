using System.Diagnostics;
using System.Threading.Channels;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A test server run by node from a folder of this repository (its npm packages installed by scripts/test.sh):
/// lines on its stdout can be awaited, lines can be written to its stdin, and closing stdin stops it, so it never
/// outlives the tests.
/// </summary>
public sealed class NodeServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();

    private NodeServer(Process process) => this.process = process;

    /// <summary>Starts <c>node server.mjs</c> in <paramref name="folder"/> and waits for its line starting with <paramref name="ready"/>.</summary>
    public static async Task<(NodeServer Server, string ReadyLine)> StartAsync(string folder, string package, string ready)
    {
        if (!Directory.Exists(Path.Combine(folder, "node_modules", package)))
        {
            throw new InvalidOperationException($"{package} is not installed: run `npm ci --prefix {folder}` (scripts/test.sh does).");
        }

        var process = Process.Start(new ProcessStartInfo("node", "server.mjs")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node did not start.");
        var server = new NodeServer(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server.lines.Writer.TryWrite(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (server, await server.ReadLineAsync(ready));
    }

    public async Task WriteLineAsync(string line)
    {
        await process.StandardInput.WriteLineAsync(line);
        await process.StandardInput.FlushAsync();
    }

    /// <summary>The next line that starts with <paramref name="prefix"/> (others are skipped), within 30 s.</summary>
    public async Task<string> ReadLineAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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
