namespace Portal.Web.Hosting;

/// <summary>CSP, no framing, nosniff and friends on every response.</summary>
internal sealed class SecurityHeaders(RequestDelegate next, Auth.AuthMode mode)
{
    // MudBlazor sets inline styles; scripts come only from this origin (no inline script anywhere in the app).
    private readonly string appPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; " +
        $"form-action 'self'{(mode.IdentityProviderOrigin is null ? "" : " " + mode.IdentityProviderOrigin)}";

    // Hangfire's dashboard (admins only) uses inline script.
    private const string JobsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/jobs") ? JobsPolicy : appPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
