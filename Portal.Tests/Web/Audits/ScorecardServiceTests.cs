using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Tests.TestSupport;
using Portal.Web.Audits;

namespace Portal.Tests.Web.Audits;

/// <summary>Scorecard figures against hand-counted values (see <see cref="ScorecardSeed"/>), and who may read whose.</summary>
public class ScorecardServiceTests
{
    [Fact]
    public async Task Get_FiguresMatchTheHandCountedValues()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);

        var card = await database.Get<ScorecardService>().GetAsync(seed.Reviewer, seed.ProjectId, seed.A0.UserId, ScorecardSeed.From, ScorecardSeed.To, default);

        var f = card.Figures;
        Assert.Equal("A0", f.Name);
        Assert.Equal(4, f.Submitted);
        Assert.Equal(1, f.Skipped);
        Assert.Equal(0.4, f.PerDay, 1e-12);
        Assert.Equal(3.5, f.MedianSeconds);
        Assert.Equal((2, 1, 1), (f.Reviews.Accepted, f.Reviews.Fixed, f.Reviews.Rejected));
        Assert.Equal(0.25, f.Reviews.Share(ReviewDecision.Reject));
        Assert.Equal(5, f.Gold.Count);
        Assert.Equal(0.7, f.Gold.Mean!.Value, 1e-12);
        // The project's auto-pause window is 2: the last two scores, 0.25 and 1.
        Assert.Equal(0.625, f.Gold.Rolling!.Value, 1e-12);
        Assert.Equal([1, 0.5, 0.75, 0.25, 1], f.Gold.Trend.Select(p => p.Score));
        Assert.Equal((10, 2), (f.Audit.Audited, f.Audit.WithErrors));
        // Wilson score interval for 2 of 10 at 95 %: 0.0567 to 0.5098 (Newcombe 1998, method 3; Wilson 1927).
        Assert.Equal(0.0567, f.Audit.ErrorRate!.Low, 4);
        Assert.Equal(0.5098, f.Audit.ErrorRate.High, 4);
        Assert.Equal("20.0 % (5.7–51.0 %, Wilson 95 %)", ScorecardText.Interval(f.Audit.ErrorRate));
        Assert.Equal([new ErrorTypeCount(AuditErrorType.WrongLabel, 2), new ErrorTypeCount(AuditErrorType.Boundary, 1)], f.Audit.ErrorTypes);
        Assert.Equal([0, 1, 2, 0, 0, 1, 0, 0, 0, 0], card.Throughput.Select(b => b.Count));
        Assert.Equal(1, card.BucketDays);
    }

    [Fact]
    public async Task Get_AgreementWithTheGroundTruth_CountsExactMatchesAndTheMeanScore()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);
        await using var db = await database.ContextAsync();
        var version = await db.Taxonomies.Where(t => t.ProjectId == seed.ProjectId).Select(t => t.CurrentVersionId).SingleAsync();
        var questions = await db.TaxonomyControls.CountAsync(c => c.TaxonomyVersionId == version);

        var card = await database.Get<ScorecardService>().GetAsync(seed.A0, seed.ProjectId, seed.A0.UserId, ScorecardSeed.From, ScorecardSeed.To, default);

        Assert.Equal(2, card.Agreement.Tasks);
        Assert.Equal(0.5, card.Agreement.ExactShare);
        // Task 0 matches (1); on task 1 one question of all is wrong.
        Assert.Equal((1 + (questions - 1.0) / questions) / 2, card.Agreement.MeanScore!.Value, 1e-12);
    }

    [Fact]
    public async Task Get_HistoryHoldsThePauseAndTheAuditVerdicts_NewestFirst()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);

        var card = await database.Get<ScorecardService>().GetAsync(seed.Reviewer, seed.ProjectId, seed.A0.UserId, ScorecardSeed.From, ScorecardSeed.To, default);

        Assert.Equal(11, card.History.Count);
        Assert.Equal("Paused: gets no new tasks", card.History[0].What);
        Assert.Equal("Rita Reviewer", card.History[0].By);
        Assert.Contains(card.History, e => e.What == $"Audit of task {seed.SentBackTaskId}: 1 error, sent back" && e.Details == "Please redo the intent");
        Assert.Equal(card.History.OrderByDescending(e => e.At).Select(e => e.At), card.History.Select(e => e.At));
    }

    [Fact]
    public async Task List_OneRowPerAnnotator_ForQaLeads()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);

        var list = await database.Get<ScorecardService>().ListAsync(seed.Reviewer, seed.ProjectId, ScorecardSeed.From, ScorecardSeed.To, default);

        Assert.False(list.Anonymous);
        Assert.Equal(["A0", "A1"], list.Rows.Select(r => r.Name).Order());
        var a1 = list.Rows.Single(r => r.UserId == seed.A1.UserId);
        Assert.Equal((0, null, null), (a1.Submitted, a1.MedianSeconds, a1.Audit.ErrorRate));
        Assert.Equal(4, list.Rows.Single(r => r.UserId == seed.A0.UserId).Submitted);
    }

    [Fact]
    public async Task Annotator_ReadsOnlyTheirOwnScorecard()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);
        var service = database.Get<ScorecardService>();
        var outsider = new PortalPrincipal(Guid.CreateVersion7(), "Olga Outsider", new HashSet<string> { AppRoles.User });

        var own = await service.GetAsync(seed.A1, seed.ProjectId, seed.A1.UserId, null, null, default);

        Assert.True(own.IsSelf);
        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => service.GetAsync(seed.A1, seed.ProjectId, seed.A0.UserId, null, null, default));
        Assert.Contains("Reviewer", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => service.ListAsync(seed.A1, seed.ProjectId, null, null, default));
        await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(outsider, seed.ProjectId, seed.A0.UserId, null, null, default));
        await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(seed.Reviewer, seed.ProjectId, outsider.UserId, null, null, default));
    }

    [Fact]
    public async Task AnonymizingProject_ShowsLettersToQaLeads_AndTheRealNameOnlyToThePersonThemselves()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database, anonymous: true);
        var service = database.Get<ScorecardService>();

        var list = await service.ListAsync(seed.Reviewer, seed.ProjectId, ScorecardSeed.From, ScorecardSeed.To, default);
        var asLead = await service.GetAsync(seed.Reviewer, seed.ProjectId, seed.A0.UserId, ScorecardSeed.From, ScorecardSeed.To, default);
        var asSelf = await service.GetAsync(seed.A0, seed.ProjectId, seed.A0.UserId, ScorecardSeed.From, ScorecardSeed.To, default);

        Assert.True(list.Anonymous);
        Assert.Equal(["Annotator A", "Annotator B"], list.Rows.Select(r => r.Name).Order());
        Assert.Equal(list.Rows.Single(r => r.UserId == seed.A0.UserId).Name, asLead.Figures.Name);
        Assert.True(asLead.Anonymous);
        Assert.Equal("A0", asSelf.Figures.Name);
        Assert.False(asSelf.Anonymous);
    }

    [Fact]
    public async Task Range_EndingBeforeItStarts_IsRefusedWithTheField()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            database.Get<ScorecardService>().ListAsync(seed.Reviewer, seed.ProjectId, ScorecardSeed.To, ScorecardSeed.From, default));

        Assert.Equal("From", error.Errors.Single().Field);
    }
}
