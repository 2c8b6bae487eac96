using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Portal.Web.Auth;

namespace Portal.Web.Hosting;

/// <summary>Per-person request limits (<c>Portal:RateLimits</c>); a person is their user id, or their address before sign-in.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Portal:RateLimits";

    /// <summary>Page and API requests a signed-in person may send at once, and per minute after that.</summary>
    public int RequestBurst { get; set; } = 60;

    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Before sign-in the address is shared (an office behind one NAT), so its allowance is larger.</summary>
    public int AnonymousBurst { get; set; } = 300;

    public int AnonymousPerMinute { get; set; } = 600;

    /// <summary>Export and error-report downloads, taxonomy exports.</summary>
    public int DownloadsPerMinute { get; set; } = 30;

    /// <summary>Import uploads.</summary>
    public int UploadsPerMinute { get; set; } = 20;
}

/// <summary>
/// ASP.NET Core rate limiting: every request a person sends (static files and the open Blazor connection aside) draws from
/// their token bucket; downloads and uploads have their own, smaller ones. A refusal is 429 with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string Downloads = "downloads";
    public const string Uploads = "uploads";

    public static void AddPortalRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsync($"Too many requests in a short time. Wait {seconds} s and try again.", ct);
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => IsExempt(http.Request.Path)
                ? RateLimitPartition.GetNoLimiter("exempt")
                : PersonOf(http) is { } person
                    ? Bucket("user:" + person, options.RequestBurst, options.RequestsPerMinute)
                    : Bucket("address:" + http.Connection.RemoteIpAddress, options.AnonymousBurst, options.AnonymousPerMinute));
            o.AddPolicy(Downloads, http => Bucket(PersonOf(http) ?? "address:" + http.Connection.RemoteIpAddress, options.DownloadsPerMinute, options.DownloadsPerMinute));
            o.AddPolicy(Uploads, http => Bucket(PersonOf(http) ?? "address:" + http.Connection.RemoteIpAddress, options.UploadsPerMinute, options.UploadsPerMinute));
        });
    }

    private static string? PersonOf(HttpContext http) => http.User.FindFirst(PortalClaims.UserId)?.Value;

    /// <summary>Static files (fingerprinted, cached) and the Blazor connection (one long request per tab) are not counted.</summary>
    private static bool IsExempt(PathString path) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/_blazor") ||
        path.StartsWithSegments("/health") || Path.HasExtension(path.Value);

    private static RateLimitPartition<string> Bucket(string key, int burst, int perMinute) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = Math.Max(1, perMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
