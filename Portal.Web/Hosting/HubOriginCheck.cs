namespace Portal.Web.Hosting;

/// <summary>
/// Refuses a Blazor hub request (negotiate or WebSocket upgrade) that a page of another site started: a browser always sends
/// <c>Origin</c> on those, and it must be this app's own host (or one named in <c>Portal:AllowedOrigins</c>, for a
/// reverse proxy that rewrites the host). The cookie alone would otherwise let a foreign page open a circuit as the user.
/// </summary>
internal sealed class HubOriginCheck(RequestDelegate next, IConfiguration configuration)
{
    private readonly HashSet<string> allowed = new(
        (configuration["Portal:AllowedOrigins"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(o => o.TrimEnd('/')),
        StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/_blazor") && context.Request.Headers.Origin is [{ } origin] && !IsOwn(context.Request, origin))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("This page belongs to another site: Portal does not accept its connection.");
        }

        return next(context);
    }

    private bool IsOwn(HttpRequest request, string origin) =>
        allowed.Contains(origin.TrimEnd('/')) ||
        (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}
