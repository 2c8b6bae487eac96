using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data;

namespace Portal.Web.Review;

/// <summary>
/// The answers of a project's latest submitted work, newest first, which Dawid-Skene learns annotator skill from when a
/// completed task's annotators disagree. Kept per project and brought up to date on each use with only the work
/// submitted since (a key range of the (project, status, submitted) index): reading all 3,000 again cost about 20 ms of
/// SQL on every disputed completion at a million tasks. Read whole again every <see cref="Reload"/>, so work that
/// changed status (a rejection) or was deleted meanwhile leaves the window.
/// </summary>
internal sealed class RecentAnswers(TimeProvider clock)
{
    /// <summary>How many of the project's latest annotations the skill estimates learn from.</summary>
    public const int Window = 3000;

    /// <summary>How long a project's window is only topped up before it is read whole again.</summary>
    public static readonly TimeSpan Reload = TimeSpan.FromMinutes(5);

    /// <summary>More projects than a portal labels at once; past it the cache starts over.</summary>
    private const int Capacity = 256;

    private readonly ConcurrentDictionary<Guid, Snapshot> projects = new();

    public sealed record Work(long AnnotationId, DateTime SubmittedAt, long TaskId, Guid UserId);

    public sealed record Answer(long AnnotationId, string Control, Guid Label);

    /// <summary>The window: the latest work and the answers it gave; the newest submit time read so far.</summary>
    private sealed record Snapshot(DateTime LoadedAt, DateTime Newest, IReadOnlyList<Work> Work, IReadOnlyList<Answer> Answers);

    /// <summary>The project's latest submitted or accepted work (round 0) and its answers, at most <see cref="Window"/> of them, newest first.</summary>
    public async Task<(IReadOnlyList<Work> Work, IReadOnlyList<Answer> Answers)> GetAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        projects.TryGetValue(projectId, out var cached);
        if (cached is not null && now - cached.LoadedAt >= Reload)
        {
            cached = null;
        }

        // From the newest submit time read, inclusive: work submitted in the same tick is read again, not missed.
        var work = await LatestAsync(db, projectId, cached?.Newest, ct);
        var ids = work.Select(w => w.AnnotationId).ToList();
        var answers = ids.Count == 0 ? [] : await db.AnnotationAnswers.AsNoTracking()
            // One JSON parameter (json_each / OPENJSON): 3,000 ids as separate parameters pass SQL Server's 2,100.
            .Where(x => EF.Parameter(ids).Contains(x.AnnotationId))
            .Select(x => new Answer(x.AnnotationId, x.ControlName, x.LabelKey)).ToListAsync(ct);
        if (cached is not null)
        {
            var read = ids.ToHashSet();
            work = [.. work.Concat(cached.Work.Where(w => !read.Contains(w.AnnotationId))).OrderByDescending(w => w.SubmittedAt).ThenByDescending(w => w.AnnotationId).Take(Window)];
            var kept = work.Select(w => w.AnnotationId).ToHashSet();
            answers = [.. answers.Concat(cached.Answers.Where(a => !read.Contains(a.AnnotationId) && kept.Contains(a.AnnotationId)))];
        }

        var snapshot = new Snapshot(cached?.LoadedAt ?? now, work.Count > 0 ? work[0].SubmittedAt : cached?.Newest ?? DateTime.MinValue, work, answers);
        if (projects.Count >= Capacity)
        {
            projects.Clear();
        }

        projects[projectId] = snapshot;
        return (snapshot.Work, snapshot.Answers);
    }

    /// <summary>
    /// The latest work, each status on its own: the (project, status, submitted) index gives it newest first, where both
    /// statuses in one query made SQLite sort the whole project (2.5 s at a million tasks).
    /// </summary>
    private static async Task<List<Work>> LatestAsync(PortalDbContext db, Guid projectId, DateTime? since, CancellationToken ct)
    {
        var work = new List<Work>();
        foreach (var status in (AnnotationStatus[])[AnnotationStatus.Submitted, AnnotationStatus.Accepted])
        {
            var query = db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.Status == status && a.SubmittedAt != null && a.Round == 0);
            if (since is { } from)
            {
                query = query.Where(a => a.SubmittedAt >= from);
            }

            work.AddRange(await query.OrderByDescending(a => a.SubmittedAt).Take(Window)
                .Select(a => new Work(a.Id, a.SubmittedAt!.Value, a.TaskId, a.UserId)).ToListAsync(ct));
        }

        return [.. work.OrderByDescending(w => w.SubmittedAt).ThenByDescending(w => w.AnnotationId).Take(Window)];
    }
}
