using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Portal.Core.ImportExport;
using Portal.Web.Auth;
using Portal.Web.Jobs;
using Portal.Web.Projects;

namespace Portal.Web.ImportExport;

/// <summary>
/// The HTTP side of imports and exports: file uploads (streamed to disk as they arrive, so the interactive
/// connection's message limits stay as they are), export downloads and error reports. Managers of the project only.
/// </summary>
public static class DataEndpoints
{
    public static void MapDataJobs(this WebApplication app)
    {
        var group = app.MapGroup("/projects/{projectId:guid}/data").RequireAuthorization();

        group.MapPost("/uploads", async (Guid projectId, string? name, HttpContext http, DataJobService data, DataFiles files, IAntiforgery antiforgery) =>
        {
            if (PortalClaims.ToPrincipal(http.User) is not { } user)
            {
                return Results.Forbid();
            }

            if (http.Request.ContentLength > files.MaxUploadBytes)
            {
                return Results.BadRequest(new { error = $"{DataFiles.CleanName(name ?? "upload")} is larger than {files.MaxUploadBytes / 1024 / 1024:N0} MB, the most an upload may be; import it from Azure storage or a web address instead." });
            }

            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest(new { error = "The upload did not come from the portal's page; reload the page and try again." });
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = files.MaxUploadBytes + 1;
            }

            try
            {
                return Results.Ok(await data.UploadAsync(user, projectId, name ?? "upload", http.Request.Body, http.RequestAborted));
            }
            catch (DataFormatException ex)
            {
                // The page's upload script shows this message under the file field.
                return Results.BadRequest(new { error = ex.Message });
            }
        }).DisableAntiforgery().RequireRateLimiting(Hosting.RateLimits.Uploads);

        // Not found and refused surface as domain errors, answered by ProblemDetailsExceptionHandler.
        group.MapGet("/jobs/{jobId:guid}/file", async (Guid projectId, Guid jobId, HttpContext http, DataJobService data) =>
        {
            if (PortalClaims.ToPrincipal(http.User) is not { } user)
            {
                return Results.Forbid();
            }

            var (path, name, type) = await data.ResultAsync(user, projectId, jobId, http.RequestAborted);
            return Results.File(path, type, name, enableRangeProcessing: true);
        }).RequireRateLimiting(Hosting.RateLimits.Downloads);

        group.MapGet("/jobs/{jobId:guid}/errors.csv", async (Guid projectId, Guid jobId, HttpContext http, DataJobService data) =>
        {
            if (PortalClaims.ToPrincipal(http.User) is not { } user)
            {
                return Results.Forbid();
            }

            var (body, name) = await data.ErrorsCsvAsync(user, projectId, jobId, http.RequestAborted);
            return Results.File(body, "text/csv", name);
        }).RequireRateLimiting(Hosting.RateLimits.Downloads);
    }
}
