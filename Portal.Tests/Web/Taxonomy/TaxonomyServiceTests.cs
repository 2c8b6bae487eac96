using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Taxonomy;
using Portal.Tests.Web.Labeling;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;

namespace Portal.Tests.Web.Taxonomy;

/// <summary>Drafts, impact and publishing on a real SQLite database: no annotation is lost or silently changed.</summary>
public class TaxonomyServiceTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    private static TaxonomyService Service(TestDatabase database) => database.Get<TaxonomyService>();

    private static Guid Key(TaxonomyDraft draft, string path) => draft.Model.AllLabels.Single(x => draft.Model.PathOf(x.Label.Key) == path).Label.Key;

    /// <summary>Three annotators label three tasks: a Person span on each, one also a Location / City span; one leaves a draft.</summary>
    private static async Task<(Guid ProjectId, List<PortalPrincipal> People, LabelingService Labeling)> LabeledAsync(TestDatabase database)
    {
        var (projectId, people) = await ProjectAsync(database, tasks: 3, overlap: 1, annotators: 3);
        await using (var db = await database.ContextAsync())
        {
            db.Users.Add(new Portal.Data.Entities.User { Id = Manager.UserId, ExternalId = $"mgr-{Guid.NewGuid():N}", Email = "mia@x", DisplayName = Manager.DisplayName, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var labeling = LabelingServiceTests.Service(database);
        for (var i = 0; i < 3; i++)
        {
            var item = (await labeling.NextAsync(people[i], projectId, default))!;
            var city = item.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Path == "Location / City").Key;
            var answered = Answered(item, (12, 27));
            var result = i == 0 ? answered with { Spans = [.. answered.Spans, new SpanValue("entities", city, 31, 38)] } : answered;
            if (i == 2)
            {
                await labeling.SaveDraftAsync(people[i], projectId, item.TaskId, result, item.Version, default);
            }
            else
            {
                await labeling.SubmitAsync(people[i], projectId, item.TaskId, result, item.Version, 1000, default);
            }
        }

        return (projectId, people, labeling);
    }

    [Fact]
    public async Task Publish_RenameOfAUsedLabel_KeepsEveryAnnotation_UnderTheNewName_WithAHistoryEntry()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people, labeling) = await LabeledAsync(database);
        var service = Service(database);
        var state = await service.LoadAsync(Manager, projectId, default);
        var person = Key(state.Draft, "Person");

        var version = await service.SaveDraftAsync(Manager, projectId, state.Draft.Rename(person, "Individual"), state.ConcurrencyVersion, default);
        var impact = Assert.Single(await service.ImpactAsync(Manager, projectId, default));
        Assert.Equal((2, 3, 1), (impact.Annotations, impact.Tasks, impact.Drafts));
        Assert.Equal(2, await service.PublishAsync(Manager, projectId, version, "Person is now Individual", default));

        var history = await labeling.RevisionsAsync(people[0], projectId, (await labeling.HistoryAsync(people[0], projectId, 10, null, default))[0].TaskId, null, default);
        var last = history[^1];
        Assert.Equal(RevisionReason.TaxonomyMigration, last.Reason);
        Assert.Equal("taxonomy v1 -> v2: \"Person\" renamed to \"Individual\"", last.Note);
        Assert.Empty(last.Added);
        Assert.Empty(last.Removed);
        await using var db = await database.ContextAsync();
        var current = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync();
        Assert.Equal(3, await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.TaxonomyVersionId == current));
        Assert.Equal(3, await db.AnnotationSpans.CountAsync(s => s.LabelKey == person));
        var controls = await database.Get<LabelSetCache>().GetAsync(db, current!.Value, default);
        Assert.Equal("Individual", controls.Single(c => c.Name == "entities").Labels.Single(l => l.Key == person).Name);
        Assert.Null((await db.Taxonomies.SingleAsync(t => t.ProjectId == projectId)).DraftJson);
        Assert.True(await db.AuditLog.AnyAsync(e => e.Action == "taxonomy.publish" && e.ProjectId == projectId));
    }

    [Fact]
    public async Task Publish_MergeAndSplit_MigrateOrQueueEveryTouchedAnnotation_AndTheCountsReconcile()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people, labeling) = await LabeledAsync(database);
        var service = Service(database);
        var state = await service.LoadAsync(Manager, projectId, default);
        var person = Key(state.Draft, "Person");
        var organization = Key(state.Draft, "Organization");
        var city = Key(state.Draft, "Location / City");
        int spansBefore;
        await using (var db = await database.ContextAsync())
        {
            spansBefore = await db.AnnotationSpans.CountAsync();
        }

        // Person merges into Organization (3 annotations, one a draft); City splits (one submitted annotation).
        var draft = state.Draft.Merge(person, organization).Split(city, ["Town", "Village"]);
        var version = await service.SaveDraftAsync(Manager, projectId, draft, state.ConcurrencyVersion, default);
        await service.PublishAsync(Manager, projectId, version, null, default);

        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(3, await db.Annotations.CountAsync(a => a.ProjectId == projectId));
            Assert.Equal(spansBefore, await db.AnnotationSpans.CountAsync());
            Assert.Equal(0, await db.AnnotationSpans.CountAsync(s => s.LabelKey == person));
            Assert.Equal(3, await db.AnnotationSpans.CountAsync(s => s.LabelKey == organization));
            // The City span is kept as it was and its annotation goes back to its annotator: nothing silently changed.
            Assert.Equal(1, await db.AnnotationSpans.CountAsync(s => s.LabelKey == city));
            var relabel = await db.RelabelItems.SingleAsync();
            Assert.Equal(people[0].UserId, relabel.AssignedToUserId);
            Assert.Equal(AnnotationStatus.Rejected, (await db.Annotations.SingleAsync(a => a.Id == relabel.AnnotationId)).Status);
            Assert.Equal(3, await db.AnnotationRevisions.CountAsync(r => r.Reason == RevisionReason.TaxonomyMigration));
            Assert.Equal(AnnotationStatus.Draft, (await db.Annotations.SingleAsync(a => a.UserId == people[2].UserId)).Status);
        }

        // The annotator gets the task first, with what changed, and cannot submit the retired label.
        var back = (await labeling.NextAsync(people[0], projectId, default))!;
        Assert.Contains("\"Location / City\" was split", back.ReviewComment, StringComparison.Ordinal);
        var retired = await Assert.ThrowsAsync<ValidationException>(() => labeling.SubmitAsync(people[0], projectId, back.TaskId, back.Draft, back.Version, 10, default));
        Assert.Contains("\"Location / City\" is no longer used", retired.Message, StringComparison.Ordinal);
        var town = back.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Town").Key;
        var fixedResult = back.Draft with { Spans = [.. back.Draft.Spans.Select(s => s.Label == city ? s with { Label = town } : s)] };
        await labeling.SubmitAsync(people[0], projectId, back.TaskId, fixedResult, back.Version, 10, default);

        await using var check = await database.ContextAsync();
        Assert.NotNull((await check.RelabelItems.SingleAsync()).ResolvedAt);
        Assert.Equal(0, await check.AnnotationSpans.CountAsync(s => s.LabelKey == city));
    }

    [Fact]
    public async Task Draft_StaleOrDroppingPublishedLabels_OrNotAManager_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people, _) = await LabeledAsync(database);
        var service = Service(database);
        var state = await service.LoadAsync(Manager, projectId, default);
        var person = Key(state.Draft, "Person");

        var version = await service.SaveDraftAsync(Manager, projectId, state.Draft.Rename(person, "Human"), state.ConcurrencyVersion, default);
        await Assert.ThrowsAsync<ConflictException>(() => service.SaveDraftAsync(Manager, projectId, state.Draft.Rename(person, "Someone"), state.ConcurrencyVersion, default));

        var entities = state.Draft.Model.Controls[0];
        var dropped = state.Draft with { Model = new TaxonomyModel([entities with { Labels = [.. entities.Labels.Where(l => l.Key != person)] }, .. state.Draft.Model.Controls.Skip(1)]) };
        await Assert.ThrowsAsync<ValidationException>(() => service.SaveDraftAsync(Manager, projectId, dropped, version, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.LoadAsync(people[0], projectId, default));

        var invalid = (await service.LoadAsync(Manager, projectId, default)).Draft.Add("entities", null, "Money", "#000000");
        var saved = await service.SaveDraftAsync(Manager, projectId, invalid, version, default);
        var problems = await Assert.ThrowsAsync<ValidationException>(() => service.PublishAsync(Manager, projectId, saved, null, default));
        Assert.Contains("Two labels are called \"Money\"", problems.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_BetweenVersionsAndToTheDraft_FollowsTheMigrationMap()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, _) = await LabeledAsync(database);
        var service = Service(database);
        var state = await service.LoadAsync(Manager, projectId, default);
        var version = await service.SaveDraftAsync(Manager, projectId, state.Draft.Merge(Key(state.Draft, "Organization / Public body"), Key(state.Draft, "Organization")), state.ConcurrencyVersion, default);
        await service.PublishAsync(Manager, projectId, version, null, default);
        var v2 = await service.LoadAsync(Manager, projectId, default);
        await service.SaveDraftAsync(Manager, projectId, v2.Draft.Rename(Key(v2.Draft, "Person"), "Individual"), v2.ConcurrencyVersion, default);

        var published = await service.DiffAsync(Manager, projectId, 1, 2, default);
        var toDraft = await service.DiffAsync(Manager, projectId, 1, null, default);

        Assert.Equal(["\"Organization / Public body\" merged into \"Organization\""], published.Select(e => e.Description));
        Assert.Contains("\"Person\" renamed to \"Individual\"", toDraft.Select(e => e.Description));
        Assert.Contains("\"Organization / Public body\" merged into \"Organization\"", toDraft.Select(e => e.Description));
    }

    [Fact]
    public async Task Maps_FromAnOlderVersion_ResolveMergedLabelsForTheAgreementEngine()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, _) = await LabeledAsync(database);
        var service = Service(database);
        var v1 = await service.LoadAsync(Manager, projectId, default);
        var body = Key(v1.Draft, "Organization / Public body");
        var organization = Key(v1.Draft, "Organization");
        var saved = await service.SaveDraftAsync(Manager, projectId, v1.Draft.Merge(body, organization), v1.ConcurrencyVersion, default);
        await service.PublishAsync(Manager, projectId, saved, null, default);

        await using var db = await database.ContextAsync();
        var v1Id = v1.Versions.Single().Id;
        var toCurrent = await TaxonomyMaps.ToCurrentAsync(db, projectId, [v1Id], default);

        Assert.Equal(new LabelFate(LabelFateKind.MapTo, organization, LabelChangeKind.Merge), toCurrent(v1Id).Resolve(body));
        Assert.Equal(LabelFateKind.Keep, toCurrent(Guid.NewGuid()).Resolve(body).Kind);
    }
}
