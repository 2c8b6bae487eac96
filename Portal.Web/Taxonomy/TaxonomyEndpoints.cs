using System.Text;
using Portal.Core.Taxonomy;
using Portal.Web.Auth;

namespace Portal.Web.Taxonomy;

/// <summary>Downloads of a project's label set (the draft when there is one, else the current version), for managers.</summary>
public static class TaxonomyEndpoints
{
    public static void MapTaxonomyExports(this WebApplication app) =>
        app.MapGet("/projects/{projectId:guid}/taxonomy/export.{format}", async (Guid projectId, string format, HttpContext http, TaxonomyService taxonomies) =>
        {
            if (format is not ("json" or "csv"))
            {
                return Results.NotFound();
            }

            var user = PortalClaims.ToPrincipal(http.User);
            if (user is null)
            {
                return Results.Forbid();
            }

            // Refusals and missing projects surface as domain errors, answered by ProblemDetailsExceptionHandler.
            var state = await taxonomies.LoadAsync(user, projectId, http.RequestAborted);
            var name = $"label-set-v{state.CurrentNumber}{(state.HasSavedDraft ? "-draft" : "")}.{format}";
            var body = format == "json" ? TaxonomyFile.WriteJson(state.Draft.Model) : TaxonomyFile.WriteCsv(state.Draft.Model);
            // A BOM so spreadsheet programs read the CSV as UTF-8.
            var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(body)).ToArray();
            return Results.File(bytes, format == "json" ? "application/json" : "text/csv", name);
        }).RequireAuthorization().RequireRateLimiting(Hosting.RateLimits.Downloads);
}
