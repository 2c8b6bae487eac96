using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Web.Components.Dashboard;
using Portal.Web.Dashboard;

namespace Portal.Tests.Web.Components;

/// <summary>The dashboard's chart components over hand-made figures: numbers tables behind the toggle, too-few-items and empty states.</summary>
public class QualityDashboardComponentTests : BunitContext, IAsyncLifetime
{
    private static readonly DateOnly Last = new(2026, 3, 10);
    private static readonly (Guid Id, string Name)[] People = [(Guid.NewGuid(), "Ana"), (Guid.NewGuid(), "Ben"), (Guid.NewGuid(), "Dana")];

    public QualityDashboardComponentTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    private static AgreementTrend Trend(params int[] units) => new("intent", null, "intent: Krippendorff's alpha", "krippendorffAlpha",
        [.. units.Select((u, i) => new TrendDay(Last.AddDays(i - units.Length + 1), 0.7 + (i / 100.0), 0.6, 0.8, u))]);

    [Fact]
    public void Trend_DrawsTheLineAndBand_AndShowsItsNumbersWhenAsked()
    {
        var cut = Render<AgreementTrendChart>(p => p.Add(c => c.Trend, Trend(40, 5, 50)).Add(c => c.Id, "t"));

        Assert.NotEmpty(cut.FindAll(".agreement-trend svg"));
        Assert.Contains("Based on 50 tasks on the last night (3 nights)", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("1 night(s) rested on fewer than 20 tasks", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#t-numbers"));

        cut.Find(".numbers-toggle input").Change(true);
        cut.WaitForElement("#t-numbers");

        var rows = cut.FindAll("#t-numbers tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Equal("not enough data (5 items; needs 20)", rows[1].Children[1].TextContent);
        Assert.Equal("0.72", rows[0].Children[1].TextContent);
        Assert.Equal("0.60–0.80", rows[0].Children[2].TextContent);
    }

    [Fact]
    public void Trend_WithOnlySmallNights_SaysNotEnoughData_InsteadOfAChart()
    {
        var cut = Render<AgreementTrendChart>(p => p.Add(c => c.Trend, Trend(3, 7)).Add(c => c.Id, "t"));

        Assert.Empty(cut.FindAll(".agreement-trend"));
        Assert.Contains("Not enough data: no night in the range rests on 20 tasks or more (the most was 7)", cut.Find(".trend-empty").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void HeatMap_ListsTheWorstPairsWithLinks_AndLeavesSmallPairsEmpty()
    {
        var project = Guid.NewGuid();
        var (ana, ben, dana) = (People[0].Id, People[1].Id, People[2].Id);
        var matrix = new PairMatrix(Last, [.. People.Select(p => new DashboardPerson(p.Id, p.Name))],
        [
            new PairCell("entities", "spanF1Exact", ana, ben, 0.8, 40),
            new PairCell("entities", "spanF1Exact", ana, dana, 0.3, 40),
            new PairCell("entities", "spanF1Exact", ben, dana, 0.1, 4),
        ]);

        var cut = Render<PairHeatMap>(p => p.Add(c => c.Matrix, matrix).Add(c => c.ProjectId, project));

        Assert.NotEmpty(cut.FindAll("#pair-heatmap svg"));
        var worst = cut.FindAll("#worst-pairs .mud-list-item");
        Assert.Equal(2, worst.Count);
        Assert.Contains("Ana and Dana: 0.30 on 40 tasks", worst[0].TextContent, StringComparison.Ordinal);
        Assert.Equal($"/projects/{project}/quality/pairs/{ana}/{dana}", worst[0].GetAttribute("href"));
        cut.Find(".numbers-toggle input").Change(true);
        cut.WaitForElement("#pairs-numbers");
        Assert.Contains("not enough data (4 items; needs 10)", cut.Find("#pairs-numbers").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void HeatMapCells_AreFoundFromTheAxisLabels_InEitherDirection_AndTheDiagonalOpensNothing()
    {
        string[] names = ["Ana", "Ben", "Chloe"];
        string[] reversed = ["Chloe", "Ben", "Ana"];
        // Labels in the people's order: the top row is Ana.
        Assert.Equal((0, 2), PairHeatMap.CellAt(0, 2, names, names, names));
        Assert.Null(PairHeatMap.CellAt(1, 1, names, names, names));
        // Labels in reverse (how the chart has drawn them): the top row is Chloe, the first column Chloe too.
        Assert.Equal((2, 1), PairHeatMap.CellAt(0, 1, reversed, reversed, names));
        Assert.Null(PairHeatMap.CellAt(0, 0, reversed, reversed, names));
        // Rows one way, columns the other.
        Assert.Equal((0, 1), PairHeatMap.CellAt(0, 1, names, reversed, names));
        // Labels that are not the people drawn (another question's grid), or a place off the grid: nothing.
        Assert.Null(PairHeatMap.CellAt(0, 1, ["Ana", "Dana", "Chloe"], names, names));
        Assert.Null(PairHeatMap.CellAt(3, 0, names, names, names));
        Assert.Null(PairHeatMap.CellAt(0, 1, names, ["Ana", "Ben"], names));
    }

    [Fact]
    public void HeatMap_WithoutPairs_SaysWhenTheyAppear()
    {
        var cut = Render<PairHeatMap>(p => p.Add(c => c.Matrix, new PairMatrix(null, [], [])).Add(c => c.ProjectId, Guid.NewGuid()));

        Assert.Contains("No pair figures yet", cut.Find("#pairs-empty").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelBars_LinkEachLabelToItsLowAgreementTasks_AndLeaveOutSmallLabels()
    {
        var project = Guid.NewGuid();
        var cut = Render<LabelAgreementChart>(p => p
            .Add(c => c.Labels, [new LabelAgreement("entities", "k1", "Product", 0.4, 0.6, 30), new LabelAgreement("entities", "k2", "Person", 0.9, 0.95, 8)])
            .Add(c => c.Alphas, [new ControlAlpha("entities", 0.71, 30)])
            .Add(c => c.ProjectId, project));

        Assert.NotEmpty(cut.FindAll("#label-bars svg"));
        Assert.Contains("1 label(s) rest on fewer than 20 tasks", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("unitizing alpha (all labels together): 0.71 on 30 tasks", cut.Markup, StringComparison.Ordinal);
        cut.Find(".numbers-toggle input").Change(true);
        cut.WaitForElement("#labels-numbers");
        var links = cut.FindAll("#labels-numbers a");
        Assert.Equal($"/projects/{project}/tasks?label=k1&agreementMax=0.80", links[0].GetAttribute("href"));
    }

    [Fact]
    public void LabelMix_ShowsSharesInPercent_AndSaysWhoHasTooFewAnswers()
    {
        var mix = new LabelMix("intent", ["Complaint", "Other"],
        [
            new LabelMixRow(null, "Whole project", 100, new Dictionary<string, int> { ["Complaint"] = 60, ["Other"] = 40 }),
            new LabelMixRow(People[2].Id, "Dana", 50, new Dictionary<string, int> { ["Complaint"] = 10, ["Other"] = 40 }),
            new LabelMixRow(People[0].Id, "Ana", 5, new Dictionary<string, int> { ["Complaint"] = 5 }),
        ]);

        var cut = Render<LabelMixChart>(p => p.Add(c => c.Mix, mix));
        var empty = Render<LabelMixChart>(p => p.Add(c => c.Mix, null));

        Assert.NotEmpty(cut.FindAll("#label-mix svg"));
        Assert.Contains("Left out, fewer than 30 answers: Ana (5)", cut.Markup, StringComparison.Ordinal);
        cut.Find(".numbers-toggle input").Change(true);
        cut.WaitForElement("#mix-numbers");
        var dana = cut.FindAll("#mix-numbers tbody tr")[1];
        Assert.Equal(["Dana", "50", "20 %", "80 %"], dana.Children.Select(td => td.TextContent));
        Assert.Contains("No submitted work", empty.Find("#mix-empty").TextContent, StringComparison.Ordinal);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor's switch holds a service that only disposes asynchronously.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
