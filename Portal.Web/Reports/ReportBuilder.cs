using Microsoft.EntityFrameworkCore;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;

namespace Portal.Web.Reports;

/// <summary>
/// Gathers one workbook's figures for a person: QA leads (Reviewer role) may have the quality sheets, managers every sheet;
/// each figure comes from the service that owns it, which checks access again.
/// </summary>
public sealed class ReportBuilder(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, QualitySheets quality, ProgressSheets progress, DetailRows detail, TimeProvider clock)
{
    /// <summary>The longest period a report covers.</summary>
    public const int MaxDays = 366;

    public async Task<WorkbookSpec> BuildAsync(PortalPrincipal user, Guid projectId, ReportRequest request, CancellationToken ct)
    {
        await CheckAsync(user, projectId, request, ct);
        var (start, end) = (request.From.ToDateTime(TimeOnly.MinValue), request.To.AddDays(1).ToDateTime(TimeOnly.MinValue));
        var names = await quality.NamesAsync(user, projectId, start, end, ct);
        var sheets = new List<ReportSheet> { await AboutAsync(user, projectId, request, ct) };
        foreach (var part in request.Parts.Distinct().Order())
        {
            switch (part)
            {
                case ReportPart.Summary: sheets.Add(await progress.SummaryAsync(projectId, request.From, request.To, ct)); break;
                case ReportPart.Progress: sheets.Add(await progress.ProgressAsync(projectId, request.From, request.To, names, ct)); break;
                case ReportPart.Annotators: sheets.Add(await quality.AnnotatorsAsync(user, projectId, start, end, ct)); break;
                case ReportPart.Agreement: sheets.Add(await quality.AgreementAsync(projectId, request.From, request.To, names, ct)); break;
                case ReportPart.Audits: sheets.Add((await quality.AuditsAsync(user, projectId, ct)).Audits); break;
                case ReportPart.Drift: sheets.Add(await quality.DriftAsync(user, projectId, ct)); break;
                case ReportPart.GuidelineGaps: sheets.Add((await quality.AuditsAsync(user, projectId, ct)).Gaps); break;
            }
        }

        var project = await ProjectNameAsync(projectId, ct);
        var rows = request.Parts.Contains(ReportPart.Detail) ? await detail.SheetAsync(projectId, start, end, ct) : null;
        return new WorkbookSpec($"{project}: report {request.From:yyyy-MM-dd} to {request.To:yyyy-MM-dd}", "Portal project report", user.DisplayName, clock.GetUtcNow().UtcDateTime, sheets, rows);
    }

    /// <summary>The period and sheets are valid and the person may have them; a project they are not in is "not found".</summary>
    public async Task<ProjectRole> CheckAsync(PortalPrincipal user, Guid projectId, ReportRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        if (request.To < request.From)
        {
            throw new ValidationException("To", "The last day of the report must not lie before its first day.");
        }

        if (request.To.DayNumber - request.From.DayNumber >= MaxDays)
        {
            throw new ValidationException("From", $"A report covers at most {MaxDays} days; choose a shorter period.");
        }

        if (request.Parts.Count == 0 || request.Parts.Any(p => !Enum.IsDefined(p)))
        {
            throw new ValidationException("Parts", "Choose at least one sheet.");
        }

        if (role < ProjectRole.Manager && request.Parts.FirstOrDefault(p => !ReportDefinitions.Quality.Contains(p)) is var other and not 0)
        {
            throw new ForbiddenException($"The {ReportDefinitions.Title(other)} sheet needs the Manager role; QA leads may have the quality sheets.");
        }

        return role;
    }

    private async Task<string> ProjectNameAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
    }

    private async Task<ReportSheet> AboutAsync(PortalPrincipal user, Guid projectId, ReportRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var project = await db.Projects.Where(p => p.Id == projectId).Select(p => new { p.Name, p.AnonymousAdjudication }).SingleAsync(ct);
        var versions = await db.TaxonomyVersions.Where(v => db.Taxonomies.Any(t => t.Id == v.TaxonomyId && t.ProjectId == projectId)).OrderBy(v => v.Number).Select(v => v.Number).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var about = new ReportTable("About", "About this workbook", [new("Item", ColumnKind.Text), new("Value", ColumnKind.Text)],
        [
            ["Project", project.Name],
            ["Period (UTC days, both included)", $"{request.From:yyyy-MM-dd} to {request.To:yyyy-MM-dd}"],
            ["Sheets", string.Join(", ", request.Parts.Distinct().Order().Select(ReportDefinitions.Title))],
            ["Label set versions", versions.Count == 0 ? "none published" : string.Join(", ", versions.Select(v => $"v{v}"))],
            ["Annotator names", project.AnonymousAdjudication ? "anonymized (Annotator A, B…) as the project asks" : "shown"],
            ["Generated by", user.DisplayName],
            ["Generated at (UTC)", $"{now:yyyy-MM-dd HH:mm}"],
            ["Data as of (UTC)", $"{now:yyyy-MM-dd HH:mm}; agreement figures from the nightly snapshots"],
        ], "");
        var definitions = new ReportTable("Definitions", "What the figures mean", [new("Figure", ColumnKind.Text), new("Meaning", ColumnKind.Text)],
            [.. ReportDefinitions.Figures.Select(f => new object?[] { f.Figure, f.Meaning })], "");
        return new ReportSheet("About", [], [about, definitions], []);
    }
}
