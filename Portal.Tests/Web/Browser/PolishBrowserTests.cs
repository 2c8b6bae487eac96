using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.ImportExport;

namespace Portal.Tests.Web.Browser;

/// <summary>The rough edges of the labeling, review and adjudication pages for people who use them all day (issue 20).</summary>
[Collection(BrowserCollection.Name)]
public sealed class PolishBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    private async Task<IPage> OpenLabelingAsync(string user, int width = 1366, int height = 768)
    {
        var page = await SignInAsync(user, width, height);
        await page.Locator("a.start-labeling").First.ClickAsync();
        await page.Locator(".span-text").WaitForAsync();
        await WaitInteractiveAsync(page);
        await WaitEditorAsync(page);
        return page;
    }

    private static async Task<string> PendingTextAsync(IPage page) =>
        string.Concat(await page.Locator(".span-text .span-seg.pending").AllInnerTextsAsync());

    /// <summary>The visible buttons, links and fields a toast lies over (their text or id), none expected.</summary>
    private static Task<string[]> CoveredByToastAsync(ILocator toast) => toast.EvaluateAsync<string[]>("""
        toast => {
          const t = toast.getBoundingClientRect();
          return [...document.querySelectorAll('button, a, input, textarea, [role=button]')]
            .filter(e => !toast.contains(e) && e.offsetParent !== null)
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.x < t.right && t.x < r.right && r.y < t.bottom && t.y < r.bottom; })
            .map(e => e.id || e.innerText.trim() || e.getAttribute('aria-label') || e.tagName);
        }
        """);

    private static async Task<LocatorBoundingBoxResult> BoxAsync(ILocator locator) =>
        await locator.BoundingBoxAsync() ?? throw new InvalidOperationException("The element is not visible.");

    private static ILocator Choice(IPage page, string control, string name) =>
        page.Locator($".question[data-control='{control}'] .mud-radio", new PageLocatorOptions { HasText = name });

    private static ILocator Checked(IPage page, string control) =>
        page.Locator($".question[data-control='{control}'] .mud-radio:has(input:checked)");

    [Fact]
    public async Task ChoiceHotkeys_AreShownNextToTheChoices_AndAnswerTheQuestion()
    {
        var page = await OpenLabelingAsync("annotator1");
        await Assertions.Expect(page.Locator(".question[data-control='sentiment'] kbd.choice-hotkey")).ToHaveTextAsync(["1", "2", "3"]);
        await Assertions.Expect(Choice(page, "sentiment", "Neutral").Locator("kbd")).ToHaveTextAsync("2");

        await page.Keyboard.PressAsync("2");
        await Assertions.Expect(Checked(page, "sentiment")).ToContainTextAsync("Neutral");
        await page.Keyboard.PressAsync("3");
        await Assertions.Expect(Checked(page, "sentiment")).ToContainTextAsync("Positive");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-choice-hotkeys-1366x768"), FullPage = true });

        // The key's answer is the real answer: with the other question answered the task submits.
        var task = await page.Locator("#task-id").InnerTextAsync();
        await page.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#task-id")).Not.ToHaveTextAsync(task);
        await Assertions.Expect(page.Locator("#labeling-errors")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task DoubleClickOnSubmit_SubmitsOnce_AndTheNextTaskShowsNoError()
    {
        var page = await OpenLabelingAsync("annotator2");
        var task = await page.Locator("#task-id").InnerTextAsync();
        await page.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
        await page.Locator(".question[data-control='sentiment'] .mud-radio").First.ClickAsync();

        await page.Locator("#submit").DblClickAsync();

        await Assertions.Expect(page.Locator("#task-id")).Not.ToHaveTextAsync(task);
        var next = await page.Locator("#task-id").InnerTextAsync();
        // The second click has reached the server by the time a later round trip (a key) comes back.
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.Locator(".span-seg.pending")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#labeling-errors")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#task-id")).ToHaveTextAsync(next);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-after-double-click-1366x768"), FullPage = true });
    }

    [Fact]
    public async Task Adjudication_CtrlEnterInTheNote_Saves_AndPlainEnterIsANewLine()
    {
        var page = await SignInAsync("reviewer", 1440, 1000);
        await page.Locator("a.adjudicate").ClickAsync();
        await page.Locator("#adjudication-item").WaitForAsync();
        await WaitInteractiveAsync(page);
        await WaitEditorAsync(page);
        var taskId = long.Parse(await page.Locator("#task-id").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

        await page.Locator("#reason").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = "Span boundary" }).ClickAsync();
        await page.Locator("#note").ClickAsync();
        await page.Keyboard.TypeAsync("Titles belong to the person.");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("Ask the team.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-adjudication-note-1440x1000") });
        await page.Keyboard.PressAsync("Control+Enter");

        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Task {taskId} resolved");
        await using var db = Db();
        Assert.Equal("Titles belong to the person.\nAsk the team.", (await db.GroundTruths.SingleAsync(g => g.TaskId == taskId)).Note);
    }

    [Fact]
    public async Task PendingSelection_IsDrawn_ForTheMouseAndForShiftArrows()
    {
        var page = await OpenLabelingAsync("annotator1");
        var word = await DragOverFirstWordAsync(page);
        await Assertions.Expect(page.Locator(".span-text .span-seg.pending").First).ToBeVisibleAsync();
        Assert.Equal(word, await PendingTextAsync(page));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-pending-selection-1366x768") });

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator(".span-text .span-seg.pending")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Shift+ArrowRight");

        // The first two tokens of whichever task was served (the second may be punctuation), drawn as one selection.
        var taskId = long.Parse(await page.Locator("#task-id").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        string text;
        await using (var db = Db())
        {
            text = await db.Tasks.Where(t => t.Id == taskId).Select(t => t.Text).SingleAsync();
        }

        var tokens = TokenSnapping.Tokens(text);
        var expected = text[tokens[0].Start..tokens[1].End];
        await Assertions.Expect(page.Locator(".span-text .span-seg.pending").Last).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(
            "expected => [...document.querySelectorAll('.span-text .span-seg.pending')].map(e => e.textContent).join('') === expected", expected);
    }

    [Fact]
    public async Task Toolbar_StaysInOneRow_AndSubmitDoesNotMove_WhenTheSaveStatusChanges()
    {
        foreach (var (user, width) in new[] { ("annotator1", 1280), ("annotator2", 1366) })
        {
            var page = await OpenLabelingAsync(user, width, 768);
            var before = await BoxAsync(page.Locator("#submit"));
            await DragOverFirstWordAsync(page);
            await page.Keyboard.PressAsync("p");
            await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Unsaved changes");
            var unsaved = await BoxAsync(page.Locator("#submit"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot($"polish-toolbar-unsaved-{width}x768") });
            await Assertions.Expect(page.Locator("#save-status")).ToContainTextAsync("Draft saved", new LocatorAssertionsToContainTextOptions { Timeout = 10_000 });
            var saved = await BoxAsync(page.Locator("#submit"));

            Assert.Equal((before.X, before.Y), (unsaved.X, unsaved.Y));
            Assert.Equal((before.X, before.Y), (saved.X, saved.Y));
            // One row: Submit sits level with the task number.
            var title = await BoxAsync(page.Locator("#task-id"));
            Assert.InRange(title.Y + (title.Height / 2), before.Y, before.Y + before.Height);
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Submit_SaysSoInTheStatusLine_AndToastsNeverCoverTheReviewButtons()
    {
        // A submit says so in the toolbar's status line, not in a toast over the page (nothing to cover the next task).
        var page = await OpenLabelingAsync("annotator2");
        var task = await page.Locator("#task-id").InnerTextAsync();
        await page.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
        await page.Locator(".question[data-control='sentiment'] .mud-radio").First.ClickAsync();
        await page.Locator("#submit").ClickAsync();
        await Assertions.Expect(page.Locator("#task-id")).Not.ToHaveTextAsync(task);
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Submitted ✓");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-submitted-labeling-1366x768") });
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);

        var reviewer = await SignInAsync("reviewer");
        await reviewer.Locator("a.review").ClickAsync();
        await reviewer.Locator("#review-item").WaitForAsync();
        await WaitInteractiveAsync(reviewer);
        await reviewer.Locator("#accept").ClickAsync();
        var accepted = reviewer.Locator(".mud-snackbar", new PageLocatorOptions { HasText = "Accepted" });
        await accepted.WaitForAsync();
        await reviewer.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-toast-review-1366x900") });
        Assert.Empty(await CoveredByToastAsync(accepted));
    }

    [Fact]
    public async Task MyHistory_IsOrderedByThePersonsOwnLastChange_NotByALabelSetMigration()
    {
        Guid projectId;
        long migratedTask;
        await using (var db = Db())
        {
            var ana = await db.Users.SingleAsync(u => u.ExternalId == "demo:annotator1");
            var manager = await db.Users.SingleAsync(u => u.ExternalId == "demo:manager");
            var oldest = await db.Annotations.Where(a => a.UserId == ana.Id && a.Status == AnnotationStatus.Submitted)
                .OrderBy(a => a.SubmittedAt).FirstAsync();
            (projectId, migratedTask) = (oldest.ProjectId, oldest.TaskId);

            // What a published rename does to her work: a new revision by the manager and a fresh update time.
            var now = DateTime.UtcNow;
            var last = await db.AnnotationRevisions.Where(r => r.AnnotationId == oldest.Id).MaxAsync(r => (int?)r.Number) ?? 0;
            db.AnnotationRevisions.Add(new AnnotationRevision
            {
                AnnotationId = oldest.Id, Number = last + 1, ChangedAt = now, ChangedById = manager.Id, Reason = RevisionReason.TaxonomyMigration,
                Status = oldest.Status, TaxonomyVersionId = oldest.TaxonomyVersionId, ResultJson = AnnotationResult.Empty.ToJson(), Note = "taxonomy v1 -> v2: renamed",
            });
            oldest.UpdatedAt = now;
            await db.SaveChangesAsync();
        }

        var page = await SignInAsync("annotator1");
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/history").ToString());
        await page.Locator(".changes").First.WaitForAsync();
        // "Show older" answers once the page is interactive; a click before that is lost.
        await WaitInteractiveAsync(page);

        Assert.NotEqual(migratedTask.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator(".changes").First.GetAttributeAsync("data-task"));
        var rows = page.Locator(".changes");
        while (await page.Locator($".changes[data-task='{migratedTask}']").CountAsync() == 0)
        {
            // One page at a time: the next click only once the rows it asked for are there.
            var count = await rows.CountAsync();
            await page.GetByText("Show older").ClickAsync();
            await Assertions.Expect(rows).Not.ToHaveCountAsync(count, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
        }

        await Assertions.Expect(page.Locator($".changed-since[data-task='{migratedTask}']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-history-1366x900"), FullPage = true });
    }

    [Fact]
    public async Task OverlappingSpans_ShowTheirNesting_AndAHintWhenTheLabelIsTheSame()
    {
        var page = await OpenLabelingAsync("annotator1");
        var word = await DragOverFirstWordAsync(page);
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Locator("#span-list")).ToContainTextAsync($"Person {word}");
        await Assertions.Expect(page.Locator("#overlap-hint")).ToHaveCountAsync(0);

        // The first two words as a second Person: it covers the first one.
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Shift+ArrowRight");
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Locator("#overlap-hint")).ToContainTextAsync("This Person span overlaps another Person span");

        var nested = page.Locator(".span-text .span-seg[data-depth='2']").First;
        await Assertions.Expect(nested).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"^Nested spans, underlined from the text down:\n1\. Person: .*\n2\. Person: "));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-overlap-1366x768") });
    }

    [Fact]
    public async Task GuidelineAndLabelSetVersions_AreNamedTheSameOnThePageAndInTheDrawer()
    {
        int? guidelines;
        int labelSet;
        await using (var db = Db())
        {
            guidelines = await db.GuidelineVersions.MaxAsync(g => (int?)g.Number);
            var current = await db.Taxonomies.Select(t => t.CurrentVersionId).SingleAsync();
            labelSet = await db.TaxonomyVersions.Where(v => v.Id == current).Select(v => v.Number).SingleAsync();
        }

        var expected = $"Guidelines v{guidelines} · Label set v{labelSet}";
        var page = await OpenLabelingAsync("annotator2");
        await Assertions.Expect(page.Locator("#working-versions")).ToHaveTextAsync(expected);
        await page.Locator("#open-guidelines").ClickAsync();
        await Assertions.Expect(page.Locator("#guidelines-versions")).ToHaveTextAsync(expected);
        await page.WaitForFunctionAsync("() => document.querySelector('#guidelines').getBoundingClientRect().right <= window.innerWidth");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-versions-drawer-1366x768") });
    }

    [Fact]
    public async Task LongText_ScrollsInItsPane_WithThePaletteAndSubmitInView()
    {
        var page = await OpenLabelingAsync("annotator1");
        var taskId = long.Parse(await page.Locator("#task-id").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var paragraph = "The parcel from Acme Logistics arrived in Rotterdam on 3 May, two days late, and the box was damaged. ";
        await using (var db = Db())
        {
            var longText = string.Concat(Enumerable.Repeat(paragraph, 2000));
            await db.Tasks.Where(t => t.Id == taskId).ExecuteUpdateAsync(u => u.SetProperty(t => t.Text, longText));
        }

        await page.ReloadAsync();
        await WaitInteractiveAsync(page);
        await WaitEditorAsync(page);
        await Assertions.Expect(page.Locator("#task-id")).ToHaveTextAsync(taskId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var pageHeight = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
        Assert.InRange(pageHeight, 0, 3 * 768);
        Assert.True(await page.Locator("#text-pane").EvaluateAsync<bool>("p => p.scrollHeight > 10 * p.clientHeight"));

        // Down to the end of the document: Submit and the palette are still on screen.
        await page.Locator("#text-pane").EvaluateAsync("p => p.scrollTop = p.scrollHeight");
        await page.Mouse.WheelAsync(0, 5000);
        foreach (var selector in new[] { "#submit", ".label-option[data-label='Person']" })
        {
            var box = await BoxAsync(page.Locator(selector));
            Assert.InRange(box.Y, 0, 768 - box.Height);
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-long-text-1366x768") });
    }

    [Fact]
    public async Task Import_OfALongText_WarnsInTheImportSummary()
    {
        Guid projectId;
        Guid managerId;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            managerId = await db.Users.Where(u => u.ExternalId == "demo:manager").Select(u => u.Id).SingleAsync();
        }

        var longText = string.Concat(Enumerable.Repeat("A very long customer letter about a refund. ", 1500));
        var lines = $"{{\"text\": \"{longText}\"}}\n{{\"text\": \"A short message about a late parcel.\"}}\n";
        var imports = App.Services.GetRequiredService<ImportService>();
        var summary = await imports.RunAsync(projectId, managerId, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(lines)), "long.jsonl", "polish-long-text",
            new ImportOptions(TaskFileFormat.Jsonl), null, CancellationToken.None);
        Assert.True(summary.Committed);
        Assert.Equal(2, summary.Imported);
        Assert.Contains($"1 task(s) are longer than 50,000 characters (the longest has {longText.Length:N0})", summary.Warning, StringComparison.Ordinal);

        var page = await SignInAsync("manager");
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/data").ToString());
        var job = page.Locator(".data-job", new PageLocatorOptions { HasText = "long.jsonl" });
        await Assertions.Expect(job.Locator(".job-message")).ToContainTextAsync("1 task(s) are longer than 50,000 characters");
        // The page refreshes its job list while runs are live, so the row may be drawn anew: a full-page picture, no scrolling to it.
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("polish-import-long-text-1366x900"), FullPage = true });
    }
}
