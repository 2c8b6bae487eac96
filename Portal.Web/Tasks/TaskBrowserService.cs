using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Common;

namespace Portal.Web.Tasks;

/// <summary>
/// The task browser: a project's tasks filtered, sorted and paged by key (docs/decisions/0016-task-browser.md). QA leads
/// (Reviewer and up) may browse; the bulk actions are in <see cref="TaskBulkService"/>.
/// </summary>
public sealed class TaskBrowserService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access)
{
    /// <summary>
    /// Counting every match is a scan at a million tasks: the count stops here and the page says "more than 1,000". Past a
    /// thousand the exact number tells a reader nothing a filter would not, and counting on to 10,000 took 0.3 s per page
    /// for a label on most tasks (benchmark project-home).
    /// </summary>
    public const int CountCap = 1_000;

    /// <summary>A bulk action over "all matching the filter" takes at most this many tasks.</summary>
    public const int BulkCap = 10_000;

    public const int MaxPageSize = 200;
    private const int SnippetLength = 200;

    public async Task<TaskBrowserChoices> ChoicesAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => new { p.Name, p.AnonymousAdjudication }).SingleAsync(ct);
        var hidden = NamesHidden(project.AnonymousAdjudication, role);
        var annotators = hidden ? [] : await db.Users.AsNoTracking()
            .Where(u => db.ProjectMembers.Any(m => m.ProjectId == projectId && m.UserId == u.Id) || db.Annotations.Any(a => a.ProjectId == projectId && a.UserId == u.Id))
            .OrderBy(u => u.DisplayName).Select(u => new TaskChoice(u.Id, u.DisplayName)).ToListAsync(ct);
        var version = await db.Taxonomies.AsNoTracking().Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).FirstOrDefaultAsync(ct);
        var labels = await db.Labels.AsNoTracking().Where(l => l.TaxonomyVersionId == version).OrderBy(l => l.Path)
            .Select(l => new TaskChoice(l.Key, l.Path)).ToListAsync(ct);
        var imports = await db.DataJobs.AsNoTracking().Where(j => j.ProjectId == projectId && j.Kind == Core.Jobs.RunKind.Import)
            .OrderByDescending(j => j.CreatedAt).Select(j => new { j.Id, j.SourceName, j.CreatedAt }).ToListAsync(ct);
        return new TaskBrowserChoices(project.Name, role, hidden, annotators, labels,
            [.. imports.Select(j => new TaskChoice(j.Id, $"{j.SourceName ?? "import"} ({j.CreatedAt:yyyy-MM-dd HH:mm} UTC)"))]);
    }

    /// <summary>One page of the project's tasks matching <paramref name="request"/>, with the cursor of the next page.</summary>
    public async Task<TaskBrowserPage> BrowseAsync(PortalPrincipal user, Guid projectId, TaskPageRequest request, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var hidden = NamesHidden(await db.Projects.Where(p => p.Id == projectId).Select(p => p.AnonymousAdjudication).SingleAsync(ct), role);
        if (hidden && request.Filter.AnnotatorId is not null)
        {
            throw new ValidationException("annotator", "This project hides who labeled what from QA leads, so tasks cannot be filtered by annotator.");
        }

        if (request.PageSize is < 1 or > MaxPageSize)
        {
            throw new ValidationException("pageSize", $"A page holds 1 to {MaxPageSize} tasks.");
        }

        var matching = await TaskFilters.ApplyAsync(db, projectId, request.Filter, ct);
        var cursor = TaskCursor.Parse(request.After, request.Sort);
        var found = await TaskKeyset.PageAsync(matching, request.Sort, request.Descending, cursor, request.PageSize + 1, ct);
        var more = found.Count > request.PageSize;
        var page = more ? found[..request.PageSize] : found;
        var count = await matching.Take(CountCap + 1).CountAsync(ct);
        var rows = await RowsAsync(db, page, hidden, ct);
        var next = more ? TaskCursor.Of(page[^1], request.Sort) : null;
        return new TaskBrowserPage(rows, next, Math.Min(count, CountCap), count > CountCap);
    }

    /// <summary>The ids of the tasks matching <paramref name="filter"/>, in id order, at most <see cref="BulkCap"/> (and whether there were more).</summary>
    internal static async Task<(List<long> Ids, bool Capped)> MatchingIdsAsync(PortalDbContext db, Guid projectId, TaskFilter filter, CancellationToken ct)
    {
        var ids = await (await TaskFilters.ApplyAsync(db, projectId, filter, ct)).OrderBy(t => t.Id).Select(t => t.Id).Take(BulkCap + 1).ToListAsync(ct);
        return ids.Count > BulkCap ? (ids[..BulkCap], true) : (ids, false);
    }

    /// <summary>QA leads of a project that hides names see letters; managers see who labeled (they manage the people).</summary>
    internal static bool NamesHidden(bool anonymous, ProjectRole role) => Anonymity.HidesNames(anonymous, role);

    private static async Task<List<TaskRow>> RowsAsync(PortalDbContext db, List<TaskKey> page, bool hidden, CancellationToken ct)
    {
        var ids = page.Select(k => k.Id).ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id))
            .Select(t => new
            {
                t.Id, t.ExternalId, Snippet = t.Text.Substring(0, SnippetLength + 1), t.State, t.Agreement, t.IsGold, t.Priority, t.CreatedAt, t.DeletedAt,
                HasTruth = db.GroundTruths.Any(g => g.TaskId == t.Id),
            })
            .ToDictionaryAsync(t => t.Id, ct);
        var annotations = await db.Annotations.AsNoTracking().Where(a => ids.Contains(a.TaskId) && a.Round == 0)
            .OrderBy(a => a.Id).Select(a => new { a.TaskId, a.UserId }).ToListAsync(ct);
        var userIds = annotations.Select(a => a.UserId).Distinct().ToList();
        var names = hidden ? [] : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var byTask = annotations.ToLookup(a => a.TaskId, a => a.UserId);
        return [.. page.Where(k => tasks.ContainsKey(k.Id)).Select(k =>
        {
            var t = tasks[k.Id];
            var people = byTask[k.Id].Select((u, i) => hidden ? $"Annotator {(char)('A' + (i % 26))}" : names.GetValueOrDefault(u, "someone")).ToList();
            return new TaskRow(t.Id, t.ExternalId, Clip(t.Snippet), t.State, t.Agreement, people, t.IsGold, t.HasTruth, t.Priority, t.CreatedAt, t.DeletedAt);
        })];
    }

    private static string Clip(string text)
    {
        var flat = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            flat.Append(char.IsWhiteSpace(c) ? ' ' : c);
        }

        return flat.Length <= SnippetLength ? flat.ToString() : flat.ToString(0, SnippetLength - 1) + "…";
    }
}
