using System.Globalization;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// Azurite's blob service (npm, the Azure Storage emulator) on 127.0.0.1, in memory, run by node from
/// Portal.Tests/Web/ImportExport/azurite. It stops when the tests dispose it or their process ends.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's published development account (in its documentation): not a secret.
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly NodeServer server;

    private AzuriteServer(NodeServer server, int port)
    {
        this.server = server;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var (server, ready) = await NodeServer.StartAsync(Path.Combine(RepoPaths.Root, "Portal.Tests", "Web", "ImportExport", "azurite"), "azurite", "LISTENING ");
        return new AzuriteServer(server, int.Parse(ready["LISTENING ".Length..], CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
