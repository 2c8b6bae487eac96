using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Drift;
using Portal.Web.Jobs;
using Portal.Web.Labeling;
using Portal.Web.Taxonomy;

namespace Portal.Web.Demo;

/// <summary>
/// Five weeks of history that the nightly drift checks really find, then last night's run: Dana joined five weeks ago
/// and labeled carefully, then drifted this week (most complaints became "Other", the mood "Neutral"); label set v2, ten
/// days ago, split "Praise" and rewrote Product's definition to answer the audit's guideline gap (Ana and Ben have
/// relabeled their praise since; Dana's and Chloe's wait); Dana's gold scores fell; three tasks decided six weeks ago are
/// past the project's relabel age of 30 days; Dana answered three of five blind retests differently from before; and
/// the nightly agreement on the intent question dipped this week.
/// </summary>
internal sealed class DemoDrift(IDbContextFactory<PortalDbContext> factory, IServiceScopeFactory scopes, TimeProvider clock)
{
    public const string Annotator = "annotator6";
    public const int BaselineTasks = 40;
    public const int DriftingTasks = 35;
    public const int OldTasks = 3;
    public const int Retests = 5;
    public const int RelabelAgeDays = 30;

    private readonly Random random = new(11);

    public async Task RunAsync(Guid projectId, IReadOnlyDictionary<string, User> users, Func<LabelingTask, AnnotationResult> careful, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = now.Date;
        var dana = users[Annotator];
        var history = new DemoDriftHistory(factory, scopes, projectId, careful);
        await history.StartedAsync(today.AddDays(-36), ct);
        await history.LoadAsync(ct);

        // Before the label-set change: Dana's first weeks, and three tasks Ana and Ben agreed on six weeks ago.
        var baseline = await history.LabelAsync(dana, BaselineTasks, t => true, i => today.AddDays(-34 + (i * 26 / BaselineTasks)).AddHours(9 + (i % 8)), drift: false, ct);
        var old = await history.LabelAsync(users["annotator1"], OldTasks, t => !history.IsPraise(t), i => today.AddDays(-45 + i).AddHours(10), drift: false, ct);
        await history.LabelSameAsync(users["annotator2"], old, TimeSpan.FromMinutes(20), ct);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var consensus = scope.ServiceProvider.GetRequiredService<Review.ConsensusService>();
            foreach (var task in old)
            {
                await consensus.EvaluateAsync(task, ct);
            }
        }

        await history.BackdateDecisionsAsync(old, today.AddDays(-43), ct);
        await PublishLabelSetV2Async(projectId, users["manager"], today.AddDays(-10).AddHours(15), ct);
        await history.LoadAsync(ct);
        foreach (var key in new[] { "annotator1", "annotator2" })
        {
            await RelabelRejectedAsync(projectId, users[key], history, ct);
        }

        // This week Dana drifted; her gold scores fell; she met five of her own earlier tasks again and answered three differently.
        await history.LabelAsync(dana, DriftingTasks, t => !history.IsPraise(t), i => today.AddDays(-6 + (i * 6 / DriftingTasks)).AddHours(9 + (i % 8)), drift: true, ct);
        await history.GoldAsync(dana, today, ct);
        await history.RetestsAsync(dana, baseline.Take(Retests).ToList(), today.AddDays(-3).AddHours(11), ct);
        await history.SnapshotsAsync(today, 60, ct);
        await PairAndLabelFiguresAsync(projectId, DateOnly.FromDateTime(today), ct);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.RelabelAgeDays, RelabelAgeDays), ct);
            await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.UserId == dana.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.OnboardedAt, today.AddDays(-35)).SetProperty(m => m.AddedAt, today.AddDays(-35)), ct);
            db.DriftSettings.Add(new DriftSettings { ProjectId = projectId, GoldWindow = DemoDriftHistory.GoldPerPhase });
            await db.SaveChangesAsync(ct);
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DriftRunService>().RunAsync(projectId, RunKeys.Night(DateOnly.FromDateTime(now)), null, ct);
        }
    }

    /// <summary>Label set v2 through the real editor: "Praise" split in two, Product's definition answers the guideline gap.</summary>
    private async Task PublishLabelSetV2Async(Guid projectId, User manager, DateTime at, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var taxonomy = scope.ServiceProvider.GetRequiredService<TaxonomyService>();
        var who = Principal(manager, AppRoles.Manager);
        var state = await taxonomy.LoadAsync(who, projectId, ct);
        var praise = state.Draft.Model.AllLabels.Single(x => x.Control.Name == "intent" && x.Label.Name == "Praise").Label;
        var product = state.Draft.Model.AllLabels.Single(x => x.Control.Name == "entities" && x.Label.Name == "Product").Label;
        var draft = state.Draft
            .Split(praise.Key, [DemoDriftHistory.PraiseOfStaff, DemoDriftHistory.PraiseOfService])
            .Describe(product.Key, product.Color, product.Hotkey,
                "A product or service name, with model where given. A product family without a model (\"your laptops\", \"the Nimbus range\") is a Product too.",
                "Nimbus 14 laptop; the Nimbus range; your express delivery service", "the parcel; my order; the box");
        var version = await taxonomy.SaveDraftAsync(who, projectId, draft, state.ConcurrencyVersion, ct);
        await taxonomy.PublishAsync(who, projectId, version, "Praise split by what is praised; Product now covers product families (audit guideline gap).", ct);

        // Published ten days ago: the history says so, and the waiting work has waited that long.
        await using var db = await factory.CreateDbContextAsync(ct);
        var v2 = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync(ct);
        await db.TaxonomyVersions.Where(v => v.Id == v2).ExecuteUpdateAsync(u => u.SetProperty(v => v.PublishedAt, at), ct);
        await db.LabelDefinitionVersions.Where(d => d.TaxonomyVersionId == v2).ExecuteUpdateAsync(u => u.SetProperty(d => d.ChangedAt, at), ct);
        await db.RelabelItems.Where(r => r.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(r => r.CreatedAt, at), ct);
        await db.AnnotationRevisions.Where(r => r.Reason == RevisionReason.TaxonomyMigration && r.Annotation!.ProjectId == projectId)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.ChangedAt, at), ct);
    }

    /// <summary>Ana and Ben sorted their praise into the new labels through their queue, as anyone would.</summary>
    private async Task RelabelRejectedAsync(Guid projectId, User user, DemoDriftHistory history, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var labeling = scope.ServiceProvider.GetRequiredService<LabelingService>();
        var person = Principal(user, AppRoles.User);
        for (var i = 0; i < 50 && await labeling.NextAsync(person, projectId, ct) is { ReviewComment: not null } item; i++)
        {
            await labeling.SubmitAsync(person, projectId, item.TaskId, history.Current(item.TaskId), item.Version, random.Next(15_000, 40_000), ct);
        }
    }

    private static PortalPrincipal Principal(User user, string role) => new(user.Id, user.DisplayName, new HashSet<string> { role });

    /// <summary>
    /// Last night's per-pair and per-label figures, computed by the real nightly job from the demo's real work, so the
    /// quality dashboard's heat map and its disagreement lists tell the same story. The job writes tonight's rows; its
    /// headline figures are dropped (the seeded trend already has last night's) and the rest moved to last night.
    /// </summary>
    private async Task PairAndLabelFiguresAsync(Guid projectId, DateOnly today, CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Agreement.AgreementSnapshotJob>().SnapshotAsync(projectId, today, ct);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        await db.AgreementSnapshots.Where(s => s.ProjectId == projectId && s.Day == today && !s.Key.Contains('|')).ExecuteDeleteAsync(ct);
        await db.AgreementSnapshots.Where(s => s.ProjectId == projectId && s.Day == today).ExecuteUpdateAsync(u => u.SetProperty(s => s.Day, today.AddDays(-1)), ct);
    }
}
