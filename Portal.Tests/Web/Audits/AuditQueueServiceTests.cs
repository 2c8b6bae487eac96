using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Taxonomy;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Audits;
using Portal.Web.Labeling;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Audits;

/// <summary>The QA lead's audit queue on a real SQLite database: samples inserted as a nightly run leaves them.</summary>
public class AuditQueueServiceTests
{
    private sealed record Setup(TestDatabase Database, Guid ProjectId, PortalPrincipal Lead, List<PortalPrincipal> Annotators, List<long> Samples, List<WorkItem> Work)
    {
        public AuditQueueService Queue => Database.Get<AuditQueueService>();
    }

    /// <summary>
    /// A project where each annotator submitted one task with a Person span at [24, 38) (every second one also [0, 5)),
    /// every submission sampled.
    /// </summary>
    private static async Task<Setup> SetupAsync(TestDatabase database, int annotators = 2, int tasks = 3, int overlap = 1)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks, overlap, annotators);
        var labeling = database.Get<LabelingService>();
        var work = new List<WorkItem>();
        foreach (var (person, i) in people.Select((p, i) => (p, i)))
        {
            var item = (await labeling.NextAsync(person, projectId, default))!;
            var result = i % 2 == 0 ? LabelingServiceTests.Answered(item, (24, 38)) : LabelingServiceTests.Answered(item, (24, 38), (0, 5));
            await labeling.SubmitAsync(person, projectId, item.TaskId, result, item.Version, 1000, default);
            work.Add(item);
        }

        var lead = new PortalPrincipal(Guid.CreateVersion7(), "Rita Reviewer", new HashSet<string> { AppRoles.User });
        await using var db = await database.ContextAsync();
        db.Users.Add(new User { Id = lead.UserId, ExternalId = $"r-{lead.UserId:N}", Email = "r@x", DisplayName = lead.DisplayName, CreatedAt = DateTime.UtcNow });
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = lead.UserId, Role = ProjectRole.Reviewer, AddedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        var samples = await AuditQueueTestData.SampleAsync(db, projectId, await AuditQueueTestData.SubmittedAsync(db, projectId, annotators));
        return new Setup(database, projectId, lead, people, samples, work);
    }

    private static Guid Person(AuditItem item) => item.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;

    [Fact]
    public async Task Annotator_IsRefused_AndAnotherProjectIsNotFound()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        var otherManager = new PortalPrincipal(Guid.CreateVersion7(), "Otto", new HashSet<string> { AppRoles.Manager });
        await using (var db = await database.ContextAsync())
        {
            db.Users.Add(new User { Id = otherManager.UserId, ExternalId = "otto", Email = "o@x", DisplayName = "Otto", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var other = await database.Get<ProjectService>().CreateAsync(otherManager, new NewProject("Elsewhere", null, TaxonomyTemplates.CustomerMessages.Id, new ProjectSettings()), default);
        var annotator = s.Annotators[0];

        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => s.Queue.WaitingCountAsync(annotator, s.ProjectId, default));
        Assert.Contains("needs the Reviewer role", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => s.Queue.NextAsync(annotator, s.ProjectId, null, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => s.Queue.RecordAsync(annotator, s.ProjectId, s.Samples[1], AuditVerdictInput.Correct(), 2, default));
        // A project the QA lead is not in looks missing, and so does this project's item asked for through it.
        await Assert.ThrowsAsync<NotFoundException>(() => s.Queue.NextAsync(s.Lead, other, null, default));
        await Assert.ThrowsAsync<NotFoundException>(() => s.Queue.WaitingCountAsync(s.Lead, other, default));
        await Assert.ThrowsAsync<NotFoundException>(() => s.Queue.RecordAsync(s.Lead, other, s.Samples[1], AuditVerdictInput.Correct(), 2, default));
        await Assert.ThrowsAsync<NotFoundException>(() => s.Queue.OpenAsync(otherManager, other, s.Samples[1], default));
    }

    [Fact]
    public async Task Correct_IsRecordedOnce_WithATaskEventAndAnAuditLogEntry_AndTheQueueMovesOn()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        Assert.Equal(2, await s.Queue.WaitingCountAsync(s.Lead, s.ProjectId, default));
        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;
        Assert.Equal(s.Samples[0], item.SampleId);
        Assert.Equal(LabelingServiceTests.Answered(s.Work[0], (24, 38)).ToJson(), item.Result.ToJson());
        Assert.Equal("A0", item.Annotator);
        Assert.Equal("Person", item.StratumLabel);

        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, AuditVerdictInput.Correct(), item.Version, default);
        // A double press or a retried request: the same verdict again changes nothing.
        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, AuditVerdictInput.Correct(), item.Version, default);

        Assert.Equal(1, await s.Queue.WaitingCountAsync(s.Lead, s.ProjectId, default));
        Assert.Equal(s.Samples[1], (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!.SampleId);
        await using var db = await database.ContextAsync();
        var sample = await db.AuditSamples.SingleAsync(x => x.Id == item.SampleId);
        Assert.Equal((AuditOutcome.Correct, s.Lead.UserId), (sample.Outcome, sample.ReviewerId));
        Assert.Single(await db.TaskEvents.Where(e => e.TaskId == item.TaskId && e.Kind == TaskEventKind.Audited).ToListAsync());
        var log = Assert.Single(await db.AuditLog.Where(e => e.Action == "audit.verdict").ToListAsync());
        Assert.Equal(("annotation", item.AnnotationId.ToString(System.Globalization.CultureInfo.InvariantCulture), s.ProjectId), (log.ObjectType, log.ObjectId, log.ProjectId));
    }

    [Fact]
    public async Task Errors_AreRecordedWithTheirSpans_AndAChangedVerdictReplacesThem()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;
        var person = Person(item);

        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, new AuditVerdictInput(AuditOutcome.HasErrors,
            [new(AuditErrorType.Boundary, "entities", person, 24, 38, " Title belongs to it "), new(AuditErrorType.MissedSpan, "entities", null, 0, 5)], "Two issues"), item.Version, default);

        var recorded = await s.Queue.OpenAsync(s.Lead, s.ProjectId, item.SampleId, default);
        Assert.Equal(AuditOutcome.HasErrors, recorded.Outcome);
        Assert.Equal([new AuditErrorInput(AuditErrorType.Boundary, "entities", person, 24, 38, "Title belongs to it"), new AuditErrorInput(AuditErrorType.MissedSpan, "entities", null, 0, 5)],
            recorded.Errors);

        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, AuditVerdictInput.Correct(), item.Version, default);

        await using var db = await database.ContextAsync();
        Assert.Equal(AuditOutcome.Correct, await db.AuditSamples.Where(x => x.Id == item.SampleId).Select(x => x.Outcome).SingleAsync());
        Assert.Empty(await db.AuditSampleErrors.ToListAsync());
        Assert.Equal(2, await db.AuditLog.CountAsync(e => e.Action == "audit.verdict"));
        Assert.Contains("changed from has errors", (await db.TaskEvents.OrderBy(e => e.Id).LastAsync()).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_IsRefusedWithTheFieldItConcerns_AndNothingIsSaved()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;
        var person = Person(item);

        async Task<string> FieldOf(AuditVerdictInput input) =>
            (await Assert.ThrowsAsync<ValidationException>(() => s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, input, item.Version, default))).Errors[0].Field;

        Assert.Equal("Errors", await FieldOf(new AuditVerdictInput(AuditOutcome.HasErrors, [])));
        Assert.Equal("Errors[0].Start", await FieldOf(AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.Boundary, "entities", person, 30, item.Text.Length + 1))));
        Assert.Equal("Errors[0].Start", await FieldOf(AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.SpuriousSpan))));
        Assert.Equal("Errors[0].Label", await FieldOf(AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.WrongLabel, "entities", Guid.NewGuid(), 24, 38))));
        Assert.Equal("Errors[0].Control", await FieldOf(AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.GuidelineGap, "nope"))));
        Assert.Equal("Note", await FieldOf(AuditVerdictInput.Correct(new string('x', 4001))));
        Assert.Equal("Note", await FieldOf(AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.GuidelineGap)) with { SendBack = true }));

        await using var db = await database.ContextAsync();
        Assert.Equal(2, await db.AuditSamples.CountAsync(x => x.Outcome == AuditOutcome.Waiting));
    }

    [Fact]
    public async Task Fix_WritesAnAuditRevisionByTheLead_TheWorkStaysTheAnnotators_AndTheItemStillShowsWhatWasSampled()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;
        var fixedResult = LabelingServiceTests.Answered(s.Work[0], (20, 38));

        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId,
            AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.Boundary, "entities", Person(item), 24, 38)) with { Fix = fixedResult }, item.Version, default);

        await using var db = await database.ContextAsync();
        var annotation = await db.Annotations.Include(a => a.Spans).SingleAsync(a => a.Id == item.AnnotationId);
        Assert.Equal(s.Annotators[0].UserId, annotation.UserId);
        Assert.Equal((20, 38), (annotation.Spans.Single().Start, annotation.Spans.Single().End));
        var revision = await db.AnnotationRevisions.Where(r => r.AnnotationId == item.AnnotationId).OrderByDescending(r => r.Number).FirstAsync();
        Assert.Equal((RevisionReason.Audit, (Guid?)s.Lead.UserId, fixedResult.ToJson()), (revision.Reason, revision.ChangedById, revision.ResultJson));
        Assert.True(await db.AuditSamples.Where(x => x.Id == item.SampleId).Select(x => x.Fixed).SingleAsync());
        Assert.Equal(1, await db.AuditLog.CountAsync(e => e.Action == "audit.fix"));

        var again = await s.Queue.OpenAsync(s.Lead, s.ProjectId, item.SampleId, default);
        Assert.True(again.ChangedSinceSampled);
        Assert.Equal(item.Result.ToJson(), again.Result.ToJson());
    }

    [Fact]
    public async Task SendBack_RejectsTheWorkWithTheNote_AndTheAnnotatorsQueueServesItFirst()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;

        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId,
            AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.Boundary, "entities", Person(item), 24, 38)) with { Note = "Include the title.", SendBack = true }, item.Version, default);

        var next = (await database.Get<LabelingService>().NextAsync(s.Annotators[0], s.ProjectId, default))!;
        Assert.Equal(item.TaskId, next.TaskId);
        Assert.Equal("Include the title.", next.ReviewComment);
        await using var db = await database.ContextAsync();
        Assert.Equal(AnnotationStatus.Rejected, await db.Annotations.Where(a => a.Id == item.AnnotationId).Select(a => a.Status).SingleAsync());
        Assert.Single(await db.TaskEvents.Where(e => e.TaskId == item.TaskId && e.Kind == TaskEventKind.SentBackByAudit).ToListAsync());
        Assert.Equal(1, await db.AuditLog.CountAsync(e => e.Action == "audit.send-back"));
        Assert.True(await db.AuditSamples.Where(x => x.Id == item.SampleId).Select(x => x.SentBack).SingleAsync());
    }

    [Fact]
    public async Task WorkChangedSinceOpened_IsAConflict_AndNothingIsOverwritten()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database);
        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;
        // The annotator reopens their submitted task and changes it while the QA lead looks at it.
        var changed = LabelingServiceTests.Answered(s.Work[0], (21, 38));
        await database.Get<LabelingService>().SaveDraftAsync(s.Annotators[0], s.ProjectId, item.TaskId, changed, item.Version, default);
        var fix = AuditVerdictInput.WithErrors(new AuditErrorInput(AuditErrorType.Boundary, "entities", Person(item), 24, 38)) with { Fix = LabelingServiceTests.Answered(s.Work[0], (20, 38)) };

        await Assert.ThrowsAsync<ConflictException>(() => s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, fix, item.Version, default));
        var reloaded = await s.Queue.OpenAsync(s.Lead, s.ProjectId, item.SampleId, default);
        // Reloaded, a fix still conflicts (the work is no longer what was sampled); a verdict on the sampled work does not.
        await Assert.ThrowsAsync<ConflictException>(() => s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, fix, reloaded.Version, default));
        Assert.Equal(item.Result.ToJson(), reloaded.Result.ToJson());

        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(changed.ToJson(), AnnotationStore_ResultJson(await db.Annotations.Include(a => a.Spans).Include(a => a.Answers).SingleAsync(a => a.Id == item.AnnotationId)));
            Assert.Equal(AuditOutcome.Waiting, await db.AuditSamples.Where(x => x.Id == item.SampleId).Select(x => x.Outcome).SingleAsync());
        }

        await s.Queue.RecordAsync(s.Lead, s.ProjectId, item.SampleId, fix with { Fix = null }, reloaded.Version, default);
        Assert.Equal(1, await s.Queue.WaitingCountAsync(s.Lead, s.ProjectId, default));
    }

    private static string AnnotationStore_ResultJson(Annotation a) => new AnnotationResult(
        [.. a.Spans.Select(x => new SpanValue(x.ControlName, x.LabelKey, x.Start, x.End))], [.. a.Answers.Select(x => new AnswerValue(x.ControlName, x.LabelKey))]).ToJson();

    [Fact]
    public async Task AnonymousProject_ShowsALetter_AndOnlyTheSampledAnnotatorsWork()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, annotators: 2, tasks: 1, overlap: 2);
        await using (var db = await database.ContextAsync())
        {
            await db.Projects.Where(p => p.Id == s.ProjectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.AnonymousAdjudication, true));
        }

        var item = (await s.Queue.NextAsync(s.Lead, s.ProjectId, null, default))!;

        Assert.Equal(("Annotator A", true), (item.Annotator, item.Anonymous));
        Assert.Equal(s.Work[0].TaskId, s.Work[1].TaskId);
        Assert.Single(item.Result.Spans);
    }

    [Fact]
    public async Task Next_SkipsPassedItems_AndTheLeadsOwnWork()
    {
        await using var database = await TestDatabase.CreateAsync();
        var s = await SetupAsync(database, annotators: 3, tasks: 3);
        await using (var db = await database.ContextAsync())
        {
            // The second annotator is also a QA lead here: their own work is left to the others.
            await db.ProjectMembers.Where(m => m.ProjectId == s.ProjectId && m.UserId == s.Annotators[1].UserId)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Role, ProjectRole.Reviewer));
        }

        var lead = s.Annotators[1];
        Assert.Equal(s.Samples[0], (await s.Queue.NextAsync(lead, s.ProjectId, null, default))!.SampleId);
        Assert.Equal(s.Samples[2], (await s.Queue.NextAsync(lead, s.ProjectId, s.Samples[0], default))!.SampleId);
        Assert.Null(await s.Queue.NextAsync(lead, s.ProjectId, s.Samples[2], default));
        await Assert.ThrowsAsync<ForbiddenException>(() => s.Queue.RecordAsync(lead, s.ProjectId, s.Samples[1], AuditVerdictInput.Correct(), 2, default));
    }
}
