using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Portal.Core.ImportExport;

namespace Portal.Web.ImportExport;

public sealed class UrlSourceOptions
{
    public const string Section = "Portal:Import:Url";

    /// <summary>
    /// Private networks an administrator explicitly allows imports from (CIDR, e.g. "10.20.0.0/16" for an internal data
    /// host). Empty by default: loopback, private, link-local and other internal addresses are refused.
    /// </summary>
    public List<string> AllowedPrivateNetworks { get; set; } = [];

    public int MaxRedirects { get; set; } = 5;

    public int TimeoutMinutes { get; set; } = 60;

    /// <summary>The most a compressed file may unpack to.</summary>
    public int MaxDecompressedMegabytes { get; set; } = 4096;

    /// <summary>The most a compressed file may unpack to, as a multiple of its compressed size (text compresses about 3-10x).</summary>
    public int MaxCompressionRatio { get; set; } = 100;
}

/// <summary>Why a web address is not fetched, in words for the person who gave it.</summary>
public sealed class UrlRefusedException(string message) : Exception(message);

/// <summary>
/// Opens an https address for import without letting it reach inside the network (SSRF): the address of every
/// connection, including each redirect's, is resolved and checked before connecting, and the socket connects to the
/// address that was checked (so a DNS answer cannot change in between). Redirects are followed by hand, each target
/// checked again (https only); at most <see cref="UrlSourceOptions.MaxRedirects"/>.
/// </summary>
public sealed class UrlSource : IDisposable
{
    private readonly UrlSourceOptions options;
    private readonly IReadOnlyList<IPNetwork> allowed;
    private readonly HttpClient client;

    public UrlSource(IOptions<UrlSourceOptions> options)
        : this(options.Value, null)
    {
    }

    /// <param name="validateCertificate">Tests only: trusts their self-signed certificate. Production uses the system's trust.</param>
    internal UrlSource(UrlSourceOptions options, RemoteCertificateValidationCallback? validateCertificate)
    {
        this.options = options;
        allowed = [.. options.AllowedPrivateNetworks.Select(n => IPNetwork.TryParse(n, out var network) ? network
            : throw new InvalidOperationException($"{UrlSourceOptions.Section}:AllowedPrivateNetworks: \"{n}\" is not a network (CIDR, like 10.20.0.0/16)."))];
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // Decompressed by DecompressionGuard, which limits what a small body may unpack to.
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (validateCertificate is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validateCertificate };
        }

        client = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(options.TimeoutMinutes) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Portal-Import/1.0");
        client.DefaultRequestHeaders.AcceptEncoding.ParseAdd("gzip, deflate, br");
    }

    public void Dispose() => client.Dispose();

    /// <summary>The address as a valid https URI, or why not.</summary>
    public static Uri Parse(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            throw new UrlRefusedException($"\"{url}\" is not a web address.");
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new UrlRefusedException($"Only https addresses can be imported from, not {uri.Scheme}.");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new UrlRefusedException("The address carries a user name or password; those do not belong in an address.");
        }

        return uri;
    }

    /// <summary>The response body of <paramref name="url"/> (after redirects), with its length when the server says it.</summary>
    public async Task<(Stream Body, long? Length, string Name)> OpenAsync(string url, CancellationToken ct)
    {
        var uri = Parse(url);
        for (var hop = 0; ; hop++)
        {
            // Refused before any connection, also for an address given as a literal IP.
            await CheckHostAsync(uri.IdnHost, ct);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
            {
                throw refused;
            }
            catch (HttpRequestException ex)
            {
                throw new DataFormatException($"{uri.Host} could not be reached: {ex.Message}");
            }

            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= options.MaxRedirects)
                {
                    throw new UrlRefusedException($"More than {options.MaxRedirects} redirects; stopped at {uri}.");
                }

                var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                uri = Parse(next.ToString());
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                throw new DataFormatException($"{uri.Host} answered {status} for {uri.AbsolutePath}.");
            }

            var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"');
            name ??= Uri.UnescapeDataString(uri.Segments[^1]).Trim('/') is { Length: > 0 } last ? last : uri.Host;
            var body = DecompressionGuard.Wrap(await response.Content.ReadAsStreamAsync(ct), response.Content.Headers.ContentEncoding,
                (long)options.MaxDecompressedMegabytes * 1024 * 1024, options.MaxCompressionRatio, uri.Host);
            // A compressed body's length says nothing about the text's: progress then goes by tasks, not bytes.
            var length = response.Content.Headers.ContentEncoding.Count == 0 ? response.Content.Headers.ContentLength : null;
            return (new ReadOnlyStream(body, owner: response), length, name);
        }
    }

    private static UrlRefusedException? Refusal(Exception ex) => ex switch
    {
        UrlRefusedException refused => refused,
        { InnerException: { } inner } => Refusal(inner),
        _ => null,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await CheckHostAsync(context.DnsEndPoint.Host, ct);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // The checked addresses, not a second lookup.
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The host's addresses when every one of them may be reached; otherwise why not.</summary>
    private async Task<IPAddress[]> CheckHostAsync(string host, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, ct);
            }
            catch (SocketException)
            {
                throw new DataFormatException($"The host name {host} is not known.");
            }
        }

        foreach (var address in addresses)
        {
            if (Internal(address) is { } kind && !allowed.Any(n => n.Contains(Normalized(address))))
            {
                throw new UrlRefusedException($"{host} is {kind} ({address}); imports only come from public addresses.");
            }
        }

        return addresses.Length > 0 ? addresses : throw new DataFormatException($"The host name {host} has no address.");
    }

    /// <summary>
    /// The IPv4 address an IPv6 address carries, when it is one of the forms that reach an IPv4 host: IPv4-mapped
    /// (<c>::ffff:a.b.c.d</c>), IPv4-translated (<c>::ffff:0:a.b.c.d</c>), IPv4-compatible (<c>::a.b.c.d</c>), NAT64
    /// (<c>64:ff9b::/96</c> and the local-use <c>64:ff9b:1::/48</c>) and 6to4 (<c>2002:AABB:CCDD::/48</c>); the address itself otherwise.
    /// </summary>
    internal static IPAddress Normalized(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        bool Zero(int from, int to) => b.AsSpan(from, to - from).IndexOfAnyExcept((byte)0) < 0;
        var translated = Zero(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0;
        // ::a.b.c.d, but not :: and ::1, which are the unspecified and loopback addresses themselves.
        var compatible = Zero(0, 12) && !Zero(12, 15);
        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && (Zero(4, 12) || (b[4] == 0 && b[5] == 1));
        if (translated || compatible || nat64)
        {
            return new IPAddress(b.AsSpan(12, 4));
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b.AsSpan(2, 4)) : address;
    }

    /// <summary>What kind of internal address this is, or null for a public one (IPv6 forms that carry an IPv4 address are judged by it).</summary>
    internal static string? Internal(IPAddress address)
    {
        address = Normalized(address);

        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return (b[0], b[1]) switch
            {
                (0, _) => "an unspecified address",
                (10, _) or (172, >= 16 and <= 31) or (192, 168) => "a private address",
                (169, 254) => "a link-local address",
                (100, >= 64 and <= 127) => "a shared (carrier-grade NAT) address",
                (192, 0) when b[2] == 0 => "a reserved address",
                (198, 18 or 19) => "a reserved address",
                (>= 224, _) => "a multicast or reserved address",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified address";
        }

        if (address.IsIPv6LinkLocal)
        {
            return "a link-local address";
        }

        if (address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
        {
            return "a private address";
        }

        if (address.IsIPv6Multicast)
        {
            return "a multicast address";
        }

        return null;
    }
}
