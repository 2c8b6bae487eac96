using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Core.Audits;
using Portal.Web.Audits;
using Portal.Web.Components.Audits;

namespace Portal.Tests.Web.Components;

/// <summary>The scorecard component over a hand-made scorecard: no database needed, it only shows what it is given.</summary>
public class ScorecardComponentTests : BunitContext
{
    private static readonly DateTime Now = new(2026, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    public ScorecardComponentTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    private static Scorecard Card(bool self, IReadOnlyList<GoldPoint> trend, AnnotatorHold hold = AnnotatorHold.None) => new(
        "Support inbox", Now.AddDays(-10), Now, Anonymous: false, self,
        new ScorecardFigures(Guid.NewGuid(), "Ana", 42, 3, 4.2, 12, new GoldSummary(trend.Count, trend.Count == 0 ? null : trend.Average(p => p.Score), 0.5, 10, trend),
            new AuditSummary(10, 2, Proportions.Wilson(2, 10), [new ErrorTypeCount(AuditErrorType.Boundary, 2), new ErrorTypeCount(AuditErrorType.WrongLabel, 1)]),
            new ReviewRates(2, 1, 1), hold, hold == AnnotatorHold.None ? null : "gold score 40 % over the last 5 check tasks (needs 60 %)", hold == AnnotatorHold.None ? null : Now.AddDays(-1)),
        new ConsensusAgreement(8, 0.75, 0.9, ScorecardService.AgreementBound),
        [.. Enumerable.Range(0, 10).Select(i => new ThroughputBucket(DateOnly.FromDateTime(Now.AddDays(i - 10)), i))], 1,
        [new PersonEvent(Now.AddDays(-1), "Paused: gets no new tasks", "Rita", "gold score 40 %")]);

    [Fact]
    public void Figures_ShowTheIntervalWithItsMethod_AndPlainExplanations()
    {
        var cut = Render<ScorecardView>(p => p.Add(c => c.Card, Card(self: false, [new GoldPoint(Now.AddDays(-3), 1), new GoldPoint(Now.AddDays(-2), 0.5)])));

        Assert.Equal("20.0 % (5.7–51.0 %, Wilson 95 %)", cut.Find("#figure-audit").TextContent);
        Assert.Equal("42", cut.Find("#figure-submitted").TextContent);
        Assert.Equal("12 s", cut.Find("#figure-median").TextContent);
        Assert.Equal("75 %", cut.Find("#figure-gold").TextContent);
        Assert.Contains("Of 10 audited items, 2 had errors", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("Tasks they submitted", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("latest 500 such tasks at most", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("Paused: gets no new tasks", cut.Find("#person-history tbody tr td:nth-child(2)").TextContent);
        Assert.Empty(cut.FindAll("#hold"));
    }

    [Fact]
    public void Charts_DrawTheGoldTrendFromTwoScores_AndSayWhyNotBefore()
    {
        var withTrend = Render<ScorecardView>(p => p.Add(c => c.Card, Card(self: true, [new GoldPoint(Now.AddDays(-3), 1), new GoldPoint(Now.AddDays(-2), 0.5)])));
        var withoutTrend = Render<ScorecardView>(p => p.Add(c => c.Card, Card(self: true, [new GoldPoint(Now.AddDays(-3), 1)])));

        Assert.NotEmpty(withTrend.FindAll("#gold-trend svg"));
        Assert.Empty(withoutTrend.FindAll("#gold-trend svg"));
        Assert.Contains("after two scored check tasks", withoutTrend.Find("#gold-trend").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(withTrend.FindAll("#throughput-chart svg"));
        Assert.Contains("Boundary (2)", withTrend.Find("#error-mix").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnScorecard_OnHold_SaysWhyToThePerson()
    {
        var cut = Render<ScorecardView>(p => p.Add(c => c.Card, Card(self: true, [], AnnotatorHold.Paused)));

        var hold = cut.Find("#hold").TextContent;
        Assert.Contains("you get no new tasks until a QA lead decides", hold, StringComparison.Ordinal);
        Assert.Contains("gold score 40 % over the last 5 check tasks", hold, StringComparison.Ordinal);
        Assert.Contains("Tasks you submitted", cut.Markup, StringComparison.Ordinal);
    }
}
