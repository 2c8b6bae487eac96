using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// The quality dashboard in Chromium, as a manager of the demo uses it: the agreement lines with this week's dip on the
/// intent question, a click on the worst pair's heat-map cell (the lowest number on the map), their disagreements, and one of them side by side.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class QualityDashboardBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Manager_SeesTheDip_ClicksTheWorstPair_AndOpensADisagreementSideBySide()
    {
        var projectId = await DemoProjectAsync();
        var manager = await SignInAsync("manager");
        await manager.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/quality").ToString());
        await WaitInteractiveAsync(manager);
        await Assertions.Expect(manager.Locator(".trend-title", new() { HasText = "intent: Krippendorff's alpha" })).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator(".agreement-trend svg").First).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator("#pair-heatmap svg.mud-chart-heat")).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator("#performance-table")).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator("#drift-panel")).ToContainTextAsync("open finding");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("dashboard-quality-1366x900"), FullPage = true });

        // The intent question's nightly numbers end with this week's dip: the last night lies below the first shown.
        var intent = manager.Locator(".mud-paper", new() { Has = manager.Locator(".trend-title", new() { HasText = "intent: Krippendorff's alpha" }) });
        await intent.Locator(".numbers-toggle input").CheckAsync();
        var nights = intent.Locator(".numbers-table tbody tr td:nth-child(2)");
        var lastNight = double.Parse((await nights.First.TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        var weekBefore = double.Parse((await nights.Nth(10).TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(lastNight < weekBefore - 0.1, $"The dip should show: last night {lastNight}, ten nights before {weekBefore}.");

        // The worst pair, as listed under the heat map: its cell is the lowest number on the map (the map is symmetric, so
        // either of its two cells opens the pair, with the two people in either order).
        var pairLink = (await manager.Locator("#worst-pairs a").First.GetAttributeAsync("href"))!;
        var pair = pairLink.Split('/')[^2..];
        await Assertions.Expect(manager.Locator("#pair-heatmap[data-clickable=true]")).ToBeVisibleAsync();
        var numbers = manager.Locator("#pair-heatmap .mud-chart-cell text");
        var labels = await numbers.AllTextContentsAsync();
        var lowest = labels.Select((text, i) => (Value: int.TryParse(text.Trim(), out var v) ? v : int.MaxValue, Index: i)).MinBy(c => c.Value);
        Assert.True(lowest.Value < int.MaxValue, $"The heat map should show numbers; it shows: {string.Join(", ", labels)}.");
        await ClickUntilAsync(numbers.Nth(lowest.Index),
            () => manager.WaitForURLAsync(url => url.Contains("/quality/pairs/", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 20_000 }));
        Assert.True(pair.All(id => manager.Url.Contains(id, StringComparison.Ordinal)),
            $"The lowest cell ({lowest.Value}; the map shows {string.Join(", ", labels)}) should open the worst pair {pairLink}, not {manager.Url}.");
        await Assertions.Expect(manager.Locator("#pair-disagreements tbody tr").First).ToBeVisibleAsync();
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("dashboard-pair-1366x900"), FullPage = true });

        var first = manager.Locator("#pair-disagreements .pair-task").First;
        var taskPath = (await first.GetAttributeAsync("href"))!;
        await first.ClickAsync();
        await manager.WaitForURLAsync(url => url.EndsWith(taskPath, StringComparison.Ordinal));
        await WaitInteractiveAsync(manager);
        // The side-by-side view of the task: its state, and every annotation next to the ground truth.
        await Assertions.Expect(manager.Locator("#task-state")).ToBeVisibleAsync();
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("dashboard-task-1366x900"), FullPage = true });
    }

    [Fact]
    public async Task Annotator_IsToldTheDashboardNeedsTheReviewerRole()
    {
        var projectId = await DemoProjectAsync();
        var annotator = await SignInAsync("annotator1");
        await annotator.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/quality").ToString());
        await WaitInteractiveAsync(annotator);

        await Assertions.Expect(annotator.Locator("#no-access")).ToContainTextAsync("needs the Reviewer role");
    }

    private async Task<Guid> DemoProjectAsync()
    {
        await using var db = Db();
        return await db.Projects.Select(p => p.Id).SingleAsync();
    }
}
