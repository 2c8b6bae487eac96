using System.Text.Json;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Notifications;

/// <summary>A message as the SMTP server received and parsed it.</summary>
public sealed record ReceivedMail(string? From, string[] To, string? Subject, string? Text, string? Html);

/// <summary>
/// A real SMTP server (npm smtp-server, parsed by mailparser) on 127.0.0.1, run by node from
/// Portal.Tests/Web/Notifications/smtp-server. It exits when its stdin closes, so it never outlives the tests.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NodeServer server;

    private SmtpTestServer(NodeServer server, int port)
    {
        this.server = server;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpTestServer> StartAsync()
    {
        var (server, ready) = await NodeServer.StartAsync(Path.Combine(RepoPaths.Root, "Portal.Tests", "Web", "Notifications", "smtp-server"), "smtp-server", "listening ");
        return new SmtpTestServer(server, int.Parse(ready["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The next message the server receives (within 30 s), in the order they arrived.</summary>
    public async Task<ReceivedMail> NextAsync()
    {
        var line = await server.ReadLineAsync("message ");
        return JsonSerializer.Deserialize<ReceivedMail>(line["message ".Length..], Json)!;
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
