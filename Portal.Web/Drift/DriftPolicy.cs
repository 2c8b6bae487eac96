using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Drift;

/// <summary>Work to send back for relabeling: an annotation (with its author), or a task to label afresh; the context is what the annotator reads.</summary>
public sealed record RelabelCandidate(long TaskId, long? AnnotationId, Guid? UserId, string Context);

/// <summary>
/// What a finding does: nothing more than a notice, relabel tasks for its items (at most the project's cap per day,
/// counted over every drift finding), or its annotations sent to the review queue. The nightly run applies the
/// project's policy to new findings; managers and QA leads apply either action to any finding from the drift page.
/// </summary>
public sealed class DriftPolicy(TimeProvider clock)
{
    /// <summary>Applies <paramref name="action"/> in the caller's transaction; returns how many relabel tasks or reviews it made.</summary>
    public async Task<int> ApplyAsync(PortalDbContext db, DriftFinding finding, DriftAction action, DriftSettings settings, Guid? actorId, CancellationToken ct)
    {
        var made = action switch
        {
            DriftAction.CreateRelabelTasks => await CreateRelabelTasksAsync(db, finding, settings, ct),
            DriftAction.SendToReview => await SendToReviewAsync(db, finding, actorId, ct),
            _ => 0,
        };
        if (action != DriftAction.NotifyOnly)
        {
            finding.ActionTaken = action;
        }

        await db.SaveChangesAsync(ct);
        return made;
    }

    /// <summary>How many more drift relabel tasks the project may get today.</summary>
    public async Task<int> RelabelRoomTodayAsync(PortalDbContext db, Guid projectId, DriftSettings settings, CancellationToken ct)
    {
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var made = await db.RelabelItems.CountAsync(r => r.ProjectId == projectId && r.DriftFindingId != null && r.CreatedAt >= today, ct);
        return Math.Max(0, settings.RelabelCapPerNight - made);
    }

    private async Task<int> CreateRelabelTasksAsync(PortalDbContext db, DriftFinding finding, DriftSettings settings, CancellationToken ct)
    {
        var room = await RelabelRoomTodayAsync(db, finding.ProjectId, settings, ct);
        var items = await db.DriftFindingItems.Where(i => i.DriftFindingId == finding.Id && i.RelabelItemId == null).OrderBy(i => i.Id).ToListAsync(ct);
        if (room == 0 || items.Count == 0)
        {
            return 0;
        }

        var made = await CreateRelabelItemsAsync(db, finding.ProjectId,
            [.. items.Select(i => new RelabelCandidate(i.TaskId, i.AnnotationId, i.UserId, Clip($"{finding.Summary} This item: {i.Detail}", 4000)))],
            settings.RelabelTarget, $"Drift finding: {DriftRunService.Describe(finding.Kind).ToLowerInvariant()}", finding.Id, room, ct);
        for (var i = 0; i < items.Count; i++)
        {
            items[i].RelabelItemId = made[i]?.Id;
        }

        var count = made.Count(r => r is not null);
        finding.RelabelItemsCreated += count;
        return count;
    }

    /// <summary>
    /// Makes relabel tasks (at most <paramref name="room"/>) and saves them: one per candidate annotation (or per task
    /// when it names none) that has no open one yet, for the person <paramref name="target"/> picks. The drift policy and
    /// the task browser's "send to relabel" both come here, so relabel tasks are made one way.
    /// </summary>
    /// <returns>The relabel task made for each candidate, in order; null where none was made.</returns>
    public async Task<IReadOnlyList<RelabelItem?>> CreateRelabelItemsAsync(PortalDbContext db, Guid projectId, IReadOnlyList<RelabelCandidate> candidates,
        RelabelTarget target, string reason, long? findingId, int room, CancellationToken ct)
    {
        var people = new Assignees(db, projectId);
        await people.LoadAsync(ct);
        var results = await PreviousResultsAsync(db, candidates, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var made = new RelabelItem?[candidates.Count];
        var count = 0;
        for (var i = 0; i < candidates.Count && count < room; i++)
        {
            var item = candidates[i];
            var open = item.AnnotationId is { } annotationId
                ? await db.RelabelItems.AnyAsync(r => r.AnnotationId == annotationId && r.ResolvedAt == null, ct)
                : await db.RelabelItems.AnyAsync(r => r.TaskId == item.TaskId && r.AnnotationId == null && r.ResolvedAt == null, ct);
            var assignee = open ? null : await people.PickAsync(item, target, ct);
            if (assignee is null)
            {
                continue;
            }

            var relabel = new RelabelItem
            {
                ProjectId = projectId, TaskId = item.TaskId, AnnotationId = item.AnnotationId, AssignedToUserId = assignee,
                Reason = Clip(reason, 200), Context = Clip(item.Context, 4000), DriftFindingId = findingId,
                PreviousResultJson = item.AnnotationId is { } id && results.TryGetValue(id, out var json) ? json : null,
                CreatedAt = now,
            };
            db.RelabelItems.Add(relabel);
            made[i] = relabel;
            count++;
            people.Assigned(assignee.Value);
        }

        await db.SaveChangesAsync(ct);
        return made;
    }

    /// <summary>The current answer of each candidate's annotation, as JSON: the relabel is compared with it.</summary>
    private static async Task<Dictionary<long, string>> PreviousResultsAsync(PortalDbContext db, IReadOnlyList<RelabelCandidate> items, CancellationToken ct)
    {
        var ids = items.Where(i => i.AnnotationId != null).Select(i => i.AnnotationId!.Value).Distinct().ToList();
        var results = new Dictionary<long, string>();
        foreach (var chunk in ids.Chunk(500))
        {
            var annotations = await db.Annotations.AsNoTracking().Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
                .Where(a => chunk.Contains(a.Id)).ToListAsync(ct);
            foreach (var (id, result) in await AnnotationStore.ResultsOfAsync(db, annotations, ct))
            {
                results[id] = result.ToJson();
            }
        }

        return results;
    }

    /// <summary>
    /// Sends the finding's annotations to the review queue: submitted work is flagged for review; accepted work is
    /// reopened for review (a revision says why). Rejected, skipped and draft work is left as it is.
    /// </summary>
    private async Task<int> SendToReviewAsync(PortalDbContext db, DriftFinding finding, Guid? actorId, CancellationToken ct)
    {
        var ids = await db.DriftFindingItems.Where(i => i.DriftFindingId == finding.Id && i.AnnotationId != null).Select(i => i.AnnotationId!.Value).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var sent = 0;
        foreach (var chunk in ids.Distinct().Chunk(500))
        {
            var annotations = await db.Annotations.Include(a => a.Spans).Include(a => a.Answers).AsSplitQuery()
                .Where(a => chunk.Contains(a.Id) && !a.ReviewRequested && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted))
                .ToListAsync(ct);
            var whole = await AnnotationStore.ResultsOfAsync(db, annotations, ct);
            foreach (var a in annotations)
            {
                a.ReviewRequested = true;
                a.UpdatedAt = now;
                if (a.Status == AnnotationStatus.Accepted)
                {
                    a.Status = AnnotationStatus.Submitted;
                    AnnotationStore.Record(db, a, actorId ?? a.UserId, now, whole[a.Id], RevisionReason.Reopen,
                        $"Sent to review by drift finding #{finding.Id}: {DriftRunService.Describe(finding.Kind).ToLowerInvariant()}");
                }

                sent++;
            }

            await AnnotationStore.SaveAsync(db, ct);
        }

        return sent;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>
    /// Who relabels: the original annotator while they may label in the project (a member, not on hold), else — or when
    /// the policy says so — the annotator with the fewest open relabel tasks who has not labeled the task.
    /// </summary>
    private sealed class Assignees(PortalDbContext db, Guid projectId)
    {
        private List<Guid> annotators = [];
        private Dictionary<Guid, int> load = [];

        public async Task LoadAsync(CancellationToken ct)
        {
            annotators = await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.Role == ProjectRole.Annotator && m.Hold == Core.Audits.AnnotatorHold.None)
                .OrderBy(m => m.UserId).Select(m => m.UserId).ToListAsync(ct);
            load = await db.RelabelItems.Where(r => r.ProjectId == projectId && r.ResolvedAt == null && r.AssignedToUserId != null)
                .GroupBy(r => r.AssignedToUserId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        }

        public async Task<Guid?> PickAsync(RelabelCandidate item, RelabelTarget target, CancellationToken ct)
        {
            if (target == RelabelTarget.OriginalAnnotator && item.AnnotationId is not null && item.UserId is { } original && annotators.Contains(original))
            {
                return original;
            }

            var labeled = await db.Annotations.Where(a => a.TaskId == item.TaskId).Select(a => a.UserId).ToListAsync(ct);
            return annotators.Where(a => !labeled.Contains(a)).OrderBy(a => load.GetValueOrDefault(a)).Select(a => (Guid?)a).FirstOrDefault();
        }

        public void Assigned(Guid userId) => load[userId] = load.GetValueOrDefault(userId) + 1;
    }
}
