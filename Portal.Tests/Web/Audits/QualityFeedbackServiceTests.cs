using Portal.Core.Audits;
using Portal.Tests.TestSupport;
using Portal.Web.Audits;

namespace Portal.Tests.Web.Audits;

/// <summary>The feedback on one's own work: audit verdicts with the text concerned, gold results only when the project allows.</summary>
public class QualityFeedbackServiceTests
{
    [Fact]
    public async Task Mine_ListsTheAuditVerdictsOnMyWork_WithErrorTypeSpanTextAndNote()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database);

        var mine = await database.Get<QualityFeedbackService>().MineAsync(seed.A0, seed.ProjectId, default);

        Assert.Equal(10, mine.Audits.Count);
        var first = mine.Audits.Single(a => a.Errors.Count == 2);
        Assert.Equal([AuditErrorType.WrongLabel, AuditErrorType.Boundary], first.Errors.Select(e => e.Type));
        // "Order 0 for Maria Schneider in Hamburg.": offsets 0–5 and 12–17.
        Assert.Equal(["Order", "Maria"], first.Errors.Select(e => e.SpanText));
        Assert.Equal("Not a person", first.Errors[0].Note);
        Assert.NotNull(first.Errors[0].Label);
        var sentBack = mine.Audits.Single(a => a.SentBack);
        Assert.Equal(seed.SentBackTaskId, sentBack.TaskId);
        Assert.Equal("Please redo the intent", sentBack.Note);
    }

    [Fact]
    public async Task Mine_WithoutGoldFeedback_NeverSaysWhichTasksWereGold()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database, showGold: false);

        var mine = await database.Get<QualityFeedbackService>().MineAsync(seed.A0, seed.ProjectId, default);

        Assert.False(mine.GoldShown);
        Assert.Empty(mine.Gold);
    }

    [Fact]
    public async Task Mine_WithGoldFeedback_ShowsTheScoreAndTheExpectedAnswer()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database, showGold: true);

        var mine = await database.Get<QualityFeedbackService>().MineAsync(seed.A0, seed.ProjectId, default);

        var gold = Assert.Single(mine.Gold);
        Assert.Equal(seed.TaskIds[1], gold.TaskId);
        Assert.Equal(0.5, gold.Score);
        Assert.Equal(2, gold.Expected.Count);
        Assert.Contains("“1”", gold.Expected[0], StringComparison.Ordinal);
        Assert.StartsWith("intent: ", gold.Expected[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mine_ShowsNobodyElsesFeedback()
    {
        await using var database = await TestDatabase.CreateAsync();
        var seed = await ScorecardSeed.CreateAsync(database, showGold: true);

        var theirs = await database.Get<QualityFeedbackService>().MineAsync(seed.A1, seed.ProjectId, default);

        Assert.Empty(theirs.Audits);
        Assert.Empty(theirs.Gold);
    }
}
