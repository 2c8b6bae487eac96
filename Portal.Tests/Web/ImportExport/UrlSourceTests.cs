using System.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.ImportExport;
using Portal.Web.ImportExport;

namespace Portal.Tests.Web.ImportExport;

/// <summary>
/// Imports from web addresses: https only, internal addresses refused before any connection (also after a redirect),
/// against a real https server on 127.0.0.1 that the tests allow explicitly, as an administrator would allow an
/// internal data host.
/// </summary>
public sealed class UrlSourceTests : IAsyncLifetime
{
    private WebApplication server = default!;
    private Uri root = default!;
    private int hits;
    private string thumbprint = "";

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        thumbprint = certificate.Thumbprint;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        server = builder.Build();
        server.MapGet("/tasks.jsonl", () =>
        {
            Interlocked.Increment(ref hits);
            return Results.Text("{\"id\":\"u1\",\"text\":\"From the web.\"}\n{\"id\":\"u2\",\"text\":\"Second line.\"}\n", "application/x-ndjson");
        });
        server.MapGet("/hop", () => Results.Redirect("/tasks.jsonl"));
        server.MapGet("/gzipped.jsonl", (HttpContext c) => Compressed(c, Encoding.UTF8.GetBytes("{\"id\":\"g1\",\"text\":\"Packed.\"}\n")));
        // 400 MB of one character: a few hundred kilobytes on the wire.
        server.MapGet("/bomb.jsonl", (HttpContext c) => Compressed(c, new byte[400 * 1024 * 1024]));
        server.MapGet("/to-metadata", () => Results.Redirect("https://169.254.169.254/latest/meta-data/"));
        server.MapGet("/to-nat64-metadata", () => Results.Redirect("https://[64:ff9b::a9fe:a9fe]/latest/meta-data/"));
        server.MapGet("/to-http", (HttpContext c) => Results.Redirect($"http://127.0.0.1:{c.Connection.LocalPort}/tasks.jsonl"));
        server.MapGet("/loop", () => Results.Redirect("/loop"));
        server.MapGet("/missing", () => Results.NotFound());
        await server.StartAsync();
        root = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static async Task Compressed(HttpContext context, byte[] content)
    {
        using var packed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(content);
        }

        context.Response.Headers.ContentEncoding = "gzip";
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.Body.WriteAsync(packed.ToArray());
    }

    /// <summary>Trusts exactly the test server's own certificate (nothing else is trusted more than in production).</summary>
    private UrlSource Source(params string[] allowed) =>
        new(new UrlSourceOptions { AllowedPrivateNetworks = [.. allowed], MaxRedirects = 3 },
            (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None || certificate?.GetCertHashString() == thumbprint);

    private async Task<string> ReadAsync(UrlSource source, string path)
    {
        var (body, _, _) = await source.OpenAsync(new Uri(root, path).ToString(), default);
        await using (body)
        {
            using var reader = new StreamReader(body);
            return await reader.ReadToEndAsync();
        }
    }

    [Theory]
    [InlineData("https://127.0.0.1/x", "loopback")]
    [InlineData("https://10.1.2.3/x", "private")]
    [InlineData("https://172.20.0.1/x", "private")]
    [InlineData("https://192.168.1.10/x", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("https://[::1]/x", "loopback")]
    [InlineData("https://[fe80::1]/x", "link-local")]
    [InlineData("https://[fd00::1]/x", "private")]
    [InlineData("https://[::ffff:10.0.0.1]/x", "private")]
    [InlineData("https://100.64.0.1/x", "carrier-grade")]
    [InlineData("https://0.0.0.0/x", "unspecified")]
    [InlineData("https://localhost/x", "loopback")]
    // IPv6 forms that carry an IPv4 address are judged by it: NAT64, 6to4, IPv4-compatible and IPv4-translated.
    [InlineData("https://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "link-local")]
    [InlineData("https://[64:ff9b::7f00:1]/x", "loopback")]
    [InlineData("https://[64:ff9b:1::a00:1]/x", "private")]
    [InlineData("https://[2002:a9fe:a9fe::1]/x", "link-local")]
    [InlineData("https://[2002:c0a8:0101::1]/x", "private")]
    [InlineData("https://[::a9fe:a9fe]/x", "link-local")]
    [InlineData("https://[::127.0.0.1]/x", "loopback")]
    [InlineData("https://[::ffff:0:a00:1]/x", "private")]
    [InlineData("https://[::ffff:0:7f00:1]/x", "loopback")]
    public async Task InternalAddresses_AreRefusedBeforeConnecting(string url, string kind)
    {
        using var source = Source();
        var refused = await Assert.ThrowsAsync<UrlRefusedException>(() => source.OpenAsync(url, default));
        Assert.Contains(kind, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://example.com/tasks.jsonl", "Only https")]
    [InlineData("ftp://example.com/tasks.jsonl", "Only https")]
    [InlineData("https://user:secret@example.com/tasks.jsonl", "user name or password")]
    [InlineData("tasks.jsonl", "not a web address")]
    public void OnlyPlainHttpsAddresses(string url, string reason)
    {
        var refused = Assert.Throws<UrlRefusedException>(() => UrlSource.Parse(url));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLocalServer_IsRefused_UnlessAllowed_ThenRedirectsAreCheckedAgain()
    {
        using (var strict = Source())
        {
            await Assert.ThrowsAsync<UrlRefusedException>(() => ReadAsync(strict, "/tasks.jsonl"));
        }

        Assert.Equal(0, hits);
        using var allowing = Source("127.0.0.1/32");
        Assert.Contains("From the web.", await ReadAsync(allowing, "/tasks.jsonl"), StringComparison.Ordinal);
        Assert.Contains("Second line.", await ReadAsync(allowing, "/hop"), StringComparison.Ordinal);

        var metadata = await Assert.ThrowsAsync<UrlRefusedException>(() => ReadAsync(allowing, "/to-metadata"));
        Assert.Contains("169.254.169.254", metadata.Message, StringComparison.Ordinal);
        var nat64 = await Assert.ThrowsAsync<UrlRefusedException>(() => ReadAsync(allowing, "/to-nat64-metadata"));
        Assert.Contains("link-local", nat64.Message, StringComparison.Ordinal);
        var http = await Assert.ThrowsAsync<UrlRefusedException>(() => ReadAsync(allowing, "/to-http"));
        Assert.Contains("Only https", http.Message, StringComparison.Ordinal);
        var loop = await Assert.ThrowsAsync<UrlRefusedException>(() => ReadAsync(allowing, "/loop"));
        Assert.Contains("redirects", loop.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<DataFormatException>(() => ReadAsync(allowing, "/missing"));
        Assert.Contains("404", missing.Message, StringComparison.Ordinal);
        Assert.Equal(2, hits);
    }

    [Fact]
    public async Task ACompressedFile_IsUnpacked_ButABombStopsEarlyWithAClearMessage()
    {
        using var allowing = Source("127.0.0.1/32");
        Assert.Contains("Packed.", await ReadAsync(allowing, "/gzipped.jsonl"), StringComparison.Ordinal);

        var bomb = await Assert.ThrowsAsync<DataFormatException>(() => ReadAsync(allowing, "/bomb.jsonl"));
        Assert.Contains("100 times its compressed size", bomb.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64:ff9b::808:808", "8.8.8.8")]
    [InlineData("2002:808:808::1", "8.8.8.8")]
    [InlineData("2606:4700::1111", "2606:4700::1111")]
    [InlineData("::1", "::1")]
    public void Normalized_TakesTheIPv4OutOfEveryFormThatCarriesOne_AndLeavesOtherAddresses(string address, string expected)
    {
        Assert.Equal(System.Net.IPAddress.Parse(expected), UrlSource.Normalized(System.Net.IPAddress.Parse(address)));
        Assert.Null(UrlSource.Internal(System.Net.IPAddress.Parse("64:ff9b::808:808")));
    }
}
