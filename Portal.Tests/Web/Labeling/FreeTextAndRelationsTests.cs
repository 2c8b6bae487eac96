using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;
using Portal.Web.Common;
using Portal.Web.Labeling;
using Portal.Web.Review;

namespace Portal.Tests.Web.Labeling;

/// <summary>Free-text and relation questions saved through the labeling service: validated, kept with the draft, carried on.</summary>
public class FreeTextAndRelationsTests
{
    private const string Text = "Maria Schneider works for Acme in Hamburg.";

    private static Task<(Guid ProjectId, List<PortalPrincipal> Annotators)> ProjectAsync(TestDatabase database, int overlap = 1, int annotators = 1) =>
        LabelingServiceTests.ProjectAsync(database, tasks: 1, overlap, annotators, TaxonomyTemplates.EntityRelations.Id, Text);

    private static AnnotationResult Linked(WorkItem item, string summary)
    {
        var entities = item.Controls.Single(c => c.Name == "entities");
        var maria = new SpanValue("entities", entities.Labels.Single(l => l.Name == "Person").Key, 0, 15);
        var acme = new SpanValue("entities", entities.Labels.Single(l => l.Name == "Organization").Key, 26, 30);
        var worksFor = item.Controls.Single(c => c.Name == "relations").Labels.Single(l => l.Name == "works for").Key;
        return new AnnotationResult([maria, acme], [])
        {
            Texts = [new TextValue("summary", summary)],
            Relations = [new RelationValue("relations", maria, acme, worksFor)],
        };
    }

    [Fact]
    public async Task SaveDraft_KeepsFreeTextAndRelations_AndTheReloadedDraftHasThem()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database);
        var service = database.Get<LabelingService>();
        var item = (await service.NextAsync(people[0], projectId, default))!;
        var draft = Linked(item, "Maria works for Acme.");

        await service.SaveDraftAsync(people[0], projectId, item.TaskId, draft, item.Version, default);
        var reloaded = (await service.NextAsync(people[0], projectId, default))!;

        Assert.Equal(draft.ToJson(), reloaded.Draft.ToJson());
    }

    [Fact]
    public async Task Save_RelationToASpanNotInTheResult_TooLongText_OrMissingRequiredText_IsRefusedNamingIt()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database);
        var service = database.Get<LabelingService>();
        var item = (await service.NextAsync(people[0], projectId, default))!;
        var good = Linked(item, "Maria works for Acme.");

        var dangling = await Assert.ThrowsAsync<ValidationException>(() => service.SaveDraftAsync(people[0], projectId, item.TaskId,
            good with { Spans = [good.Spans[0]] }, item.Version, default));
        var tooLong = await Assert.ThrowsAsync<ValidationException>(() => service.SaveDraftAsync(people[0], projectId, item.TaskId,
            good with { Texts = [new TextValue("summary", new string('x', AnnotationResult.MaxTextLength + 1))] }, item.Version, default));
        var missing = await Assert.ThrowsAsync<ValidationException>(() => service.SubmitAsync(people[0], projectId, item.TaskId,
            good with { Texts = [new TextValue("summary", "   ")] }, item.Version, 1, default));

        Assert.Contains(dangling.Errors, e => e.Field == "Relations" && e.Message.Contains("joins a span that is not in this annotation", StringComparison.Ordinal));
        Assert.Contains(tooLong.Errors, e => e.Field == "summary" && e.Message.Contains("at most 10,000", StringComparison.Ordinal));
        Assert.Contains(missing.Errors, e => e.Field == "summary" && e.Message.Contains("Write an answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_TwoAgreeingAnnotators_GroundTruthCarriesTheirFreeTextAndRelation_AndReviewShowsThem()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await ProjectAsync(database, overlap: 2, annotators: 2);
        var service = database.Get<LabelingService>();
        AnnotationResult? submitted = null;
        foreach (var person in people)
        {
            var item = (await service.NextAsync(person, projectId, default))!;
            submitted = Linked(item, "Maria works for Acme.");
            await service.SubmitAsync(person, projectId, item.TaskId, submitted, item.Version, 1, default);
        }

        await using var db = await database.ContextAsync();
        var task = await db.Tasks.SingleAsync(t => t.ProjectId == projectId);
        var truth = await db.GroundTruths.SingleAsync(g => g.TaskId == task.Id);
        var manager = new PortalPrincipal(Guid.CreateVersion7(), "Admin", new HashSet<string> { AppRoles.Admin });
        var detail = await database.Get<ReviewService>().TaskAsync(manager, projectId, task.Id, default);

        Assert.Equal(submitted!.ToJson(), truth.ResultJson);
        Assert.All(detail.Annotations, a => Assert.Equal(submitted.ToJson(), a.Result.ToJson()));
    }
}
