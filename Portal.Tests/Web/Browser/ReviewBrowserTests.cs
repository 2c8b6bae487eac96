using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>QA leads in Chromium: adjudicating a demo disagreement, and the reject → fix → accept loop.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReviewBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    private static readonly Dictionary<string, string> DemoKeys = new()
    {
        ["Ana Annotator"] = "annotator1", ["Ben Annotator"] = "annotator2", ["Chloe Annotator"] = "annotator3", ["Dana Annotator"] = "annotator6",
    };

    [Fact]
    public async Task Reviewer_AdjudicatesADemoDisagreement_AndTheTaskShowsWhoDecidedAndWhy()
    {
        var page = await SignInAsync("reviewer", 1440, 1000);
        await page.Locator("a.adjudicate").ClickAsync();
        await page.Locator("#adjudication-item").WaitForAsync();
        await WaitInteractiveAsync(page);
        var taskId = long.Parse(await page.Locator("#task-id").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(await page.Locator("#side-by-side .annotator-panel").CountAsync(), 2, 3);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("adjudication-1440x1000"), FullPage = true });

        // One key accepts the first candidate span; it moves from the candidates into the ground truth.
        var candidates = await page.Locator("#suggestions .suggestion").CountAsync();
        if (candidates > 0)
        {
            var spans = await page.Locator("#span-list .mud-chip").CountAsync();
            await page.Locator("h1").ClickAsync();
            await WaitEditorAsync(page);
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#span-list .mud-chip")).ToHaveCountAsync(spans + 1);
            await Assertions.Expect(page.Locator("#suggestions .suggestion")).ToHaveCountAsync(candidates - 1);
        }

        // Without a reason the ground truth is not saved, and the page says why.
        await page.Locator("#resolve").ClickAsync();
        await Assertions.Expect(page.Locator("#adjudication-errors")).ToContainTextAsync("Choose why the annotators disagreed");

        await page.Locator("#reason").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = "Span boundary" }).ClickAsync();
        await page.Locator("#note").FillAsync("Titles belong to the person.");
        await page.Locator("#resolve").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Task {taskId} resolved");

        await using (var db = Db())
        {
            var truth = await db.GroundTruths.SingleAsync(g => g.TaskId == taskId);
            Assert.Equal(GroundTruthSource.Adjudication, truth.Source);
            Assert.Equal(TaskState.Done, (await db.Tasks.SingleAsync(t => t.Id == taskId)).State);
        }

        var projectId = await Db().Projects.Select(p => p.Id).SingleAsync();
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/tasks/{taskId}").ToString());
        await Assertions.Expect(page.Locator("#provenance")).ToContainTextAsync("Decided by Riley Reviewer (adjudication)");
        await Assertions.Expect(page.Locator("#provenance")).ToContainTextAsync("span boundary");
        await Assertions.Expect(page.Locator(".task-events")).ToContainTextAsync("sent to adjudication");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("task-detail-1440x1000"), FullPage = true });
    }

    [Fact]
    public async Task Reviewer_RejectsWithAComment_TheAnnotatorSeesItAndFixes_AndTheFixComesBackToReview()
    {
        var reviewer = await SignInAsync("reviewer");
        await reviewer.Locator("a.review").ClickAsync();
        await reviewer.Locator("#review-item").WaitForAsync();
        await WaitInteractiveAsync(reviewer);
        await reviewer.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("review-1366x900"), FullPage = true });
        var taskId = await reviewer.Locator("#task-id").InnerTextAsync();
        var annotator = DemoKeys[await reviewer.Locator("#annotator").InnerTextAsync()];

        await reviewer.Locator("#reject").ClickAsync();
        await reviewer.Locator("#reject-comment").FillAsync("Mark the whole order number.");
        await reviewer.Locator("#confirm-reject").ClickAsync();
        await Assertions.Expect(reviewer.Locator(".mud-snackbar")).ToContainTextAsync("Sent back to the annotator");

        // Opened from their history: the demo's annotators may have older work sent back that their queue serves first.
        var page = await SignInAsync(annotator);
        var project = await Db().Projects.Select(p => p.Id).SingleAsync();
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{project}/label?task={taskId}").ToString());
        await Assertions.Expect(page.Locator("#review-comment")).ToContainTextAsync("Mark the whole order number.");
        await Assertions.Expect(page.Locator("#task-id")).ToHaveTextAsync(taskId);
        await WaitInteractiveAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("labeling-rejected-1366x900"), FullPage = true });
        await WaitEditorAsync(page);
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#review-comment")).ToHaveCountAsync(0);

        await using (var db = Db())
        {
            var id = long.Parse(taskId, System.Globalization.CultureInfo.InvariantCulture);
            var fixedWork = await db.Annotations.SingleAsync(a => a.TaskId == id && a.ReviewComment == null && a.Status == AnnotationStatus.Submitted && a.ReviewRequested
                && db.Reviews.Any(r => r.AnnotationId == a.Id && r.Decision == ReviewDecision.Reject));
            Assert.NotNull(fixedWork);
        }

        // The reviewer clears the next item with Ctrl+Enter (accept).
        await reviewer.ReloadAsync();
        await reviewer.Locator("#review-item").WaitForAsync();
        await WaitInteractiveAsync(reviewer);
        var waiting = await reviewer.Locator("#waiting").InnerTextAsync();
        await reviewer.Locator("h1").ClickAsync();
        await WaitEditorAsync(reviewer);
        await reviewer.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(reviewer.Locator(".mud-snackbar")).ToContainTextAsync("Accepted");
        await Assertions.Expect(reviewer.Locator("#waiting")).Not.ToHaveTextAsync(waiting);
    }

    [Fact]
    public async Task Annotator_CannotOpenTheReviewOrAdjudicationPages()
    {
        var page = await SignInAsync("annotator1");
        var projectId = await Db().Projects.Select(p => p.Id).SingleAsync();
        foreach (var path in new[] { "review", "adjudicate", "tasks/1" })
        {
            await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/{path}").ToString());
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("needs the Reviewer role");
            Assert.Equal(0, await page.Locator("#review-item, #adjudication-item, #ground-truth").CountAsync());
        }
    }

    [Fact]
    public async Task Manager_TurnsOnAnonymizedAdjudication_AndTheAdjudicatorSeesNoNames()
    {
        var manager = await SignInAsync("manager", 1366, 1000);
        await new HomePageObject(manager).OpenFromMenuAsync("review-settings");
        await manager.Locator("#reviewer-instructions").WaitForAsync();
        await WaitInteractiveAsync(manager);
        await manager.GetByLabel("Hide annotator names from adjudicators").CheckAsync();
        await manager.Locator("#reviewer-instructions").FillAsync("Read the **whole** message before deciding.");
        await manager.Locator("#save-settings").ClickAsync();
        await Assertions.Expect(manager.Locator(".mud-snackbar")).ToContainTextAsync("Saved");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("review-settings-1366x1000"), FullPage = true });

        var reviewer = await SignInAsync("reviewer");
        await reviewer.Locator("a.adjudicate").ClickAsync();
        await reviewer.Locator("#adjudication-item").WaitForAsync();
        await Assertions.Expect(reviewer.Locator("#side-by-side")).ToContainTextAsync("Annotator A");
        await Assertions.Expect(reviewer.Locator("#side-by-side")).Not.ToContainTextAsync("Ana Annotator");
        await Assertions.Expect(reviewer.Locator("#side-by-side")).Not.ToContainTextAsync("What changed");
        await reviewer.GetByText("Reviewer instructions").ClickAsync();
        await Assertions.Expect(reviewer.Locator(".reviewer-instructions strong")).ToHaveTextAsync("whole");
    }
}
