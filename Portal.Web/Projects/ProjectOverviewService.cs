using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Queries;

namespace Portal.Web.Projects;

/// <summary>How many tasks have <paramref name="Annotations"/> submitted answers.</summary>
public sealed record OverlapBucket(int Annotations, int Tasks);

/// <summary>Annotations submitted on one day (UTC).</summary>
public sealed record DayCount(DateOnly Day, int Count);

/// <summary>Something waiting in the project, for whoever acts on it, with the page where they do.</summary>
public sealed record WaitingItem(string Key, string Title, string Explanation, int Count, string Href);

/// <summary>A project at a glance: how far along, how fast, and what waits for whom.</summary>
/// <param name="Overlap">Annotators the project asks for per task (low agreement may ask one more).</param>
/// <param name="Done">Tasks complete as the Home card counts them (<see cref="TaskQueries.IsComplete"/>).</param>
/// <param name="InProgress">Not complete, with at least one answer.</param>
/// <param name="ToDo">Not complete and nobody answered yet.</param>
public sealed record ProjectOverview(
    Guid ProjectId, string Name, string? Description, string Access, ProjectRole Role, int Overlap,
    int Total, int Done, int InProgress, int ToDo,
    IReadOnlyList<OverlapBucket> ByOverlap, IReadOnlyList<DayCount> Throughput,
    IReadOnlyList<WaitingItem> ForQaLeads, IReadOnlyList<WaitingItem> ForYou)
{
    public int SubmittedInWindow => Throughput.Sum(d => d.Count);
}

/// <summary>The project's Overview page: progress, throughput and what waits, counted like the Home cards and the menu.</summary>
public sealed class ProjectOverviewService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, TimeProvider clock)
{
    /// <summary>Days of throughput the Overview shows, today included.</summary>
    public const int ThroughputDays = 30;

    /// <summary>The overview for any member (admins and portal managers too); others get <see cref="NotFoundException"/>.</summary>
    public async Task<ProjectOverview> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.Name, p.Description, p.AnnotatorsPerTask, Membership = p.Members.Where(m => m.UserId == user.UserId).Select(m => (ProjectRole?)m.Role).FirstOrDefault() })
            .SingleAsync(ct);

        // Read from counters the database keeps (docs/decisions/0025-overview-counters.md): no count over the tasks while a person waits.
        var progress = (await db.ProgressAsync([projectId], ct)).GetValueOrDefault(projectId);
        var buckets = await db.OverlapAsync(projectId, ct);
        var answered = buckets.Where(b => b.Submitted > 0).ToList();
        var inProgress = answered.Sum(b => b.Tasks) - answered.Sum(b => b.Completed);

        var forQaLeads = role >= ProjectRole.Reviewer
            ? ForQaLeads(projectId, (await QueueCounts.ForReviewerAsync(db, user.UserId, [projectId], ct))[projectId])
            : [];
        var forYou = project.Membership is null ? [] : ForYou(projectId, await QueueCounts.ForAnnotatorAsync(db, user.UserId, projectId, ct));

        return new ProjectOverview(projectId, project.Name, project.Description, ProjectRoles.Describe(user, project.Membership), role, project.AnnotatorsPerTask,
            progress.Total, progress.Completed, inProgress, progress.Total - progress.Completed - inProgress,
            [.. buckets.Where(b => b.Tasks > 0).OrderBy(b => b.Submitted).Select(b => new OverlapBucket(b.Submitted, b.Tasks))], await ThroughputAsync(db, projectId, ct), forQaLeads, forYou);
    }

    private async Task<IReadOnlyList<DayCount>> ThroughputAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var perDay = (await db.DaysAsync(projectId, today.AddDays(1 - ThroughputDays), ct)).ToDictionary(d => d.Day, d => d.Submitted);
        // Every day of the window, quiet ones at zero, so the chart's axis is time and not just the busy days.
        return [.. Enumerable.Range(0, ThroughputDays).Select(i => today.AddDays(i + 1 - ThroughputDays)).Select(d => new DayCount(d, perDay.GetValueOrDefault(d)))];
    }

    /// <summary>What QA leads act on: the queues, people on hold, drift findings and relabels not yet done.</summary>
    internal static IReadOnlyList<WaitingItem> ForQaLeads(Guid projectId, ProjectQueues queues)
    {
        var at = $"/projects/{projectId}";
        return
        [
            new("review", "Reviews", "Submissions waiting for a reviewer's accept or reject.", queues.ToReview, $"{at}/review"),
            new("adjudicate", "Adjudication", "Tasks where annotators disagreed and someone must decide.", queues.ToAdjudicate, $"{at}/adjudicate"),
            new("audit", "Audit", "Sampled work waiting for an audit verdict.", queues.ToAudit, $"{at}/audit"),
            new("on-hold", "People on hold", "Annotators paused or after a failed onboarding, waiting for a decision.", queues.OnHold, $"{at}/gold"),
            new("findings", "Open drift findings", "Changes in labels, agreement or people that someone should look at.", queues.OpenFindings, $"{at}/drift"),
            new("relabels", "Relabel requests", "Tasks sent back to annotators to label again, not yet done.", queues.OpenRelabels, $"{at}/drift"),
        ];
    }

    internal static IReadOnlyList<WaitingItem> ForYou(Guid projectId, MyWork work)
    {
        var label = $"/projects/{projectId}/label";
        return
        [
            // A blind retest must look like any other task, so it is counted among them and never named.
            new("to-label", "Tasks you can label", "Open tasks you have not answered yet.", work.ToLabel + work.Retests, label),
            new("my-relabels", "Relabel requests for you", "Tasks a QA lead asked you to label again; they come first in your queue.", work.Relabels, label),
        ];
    }
}
