using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>A relabel task in Chromium: the annotator sees why in a banner, cannot skip it, and their submit resolves it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RelabelBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Annotator_GetsARelabelTask_WithItsReason_AndSubmittingResolvesIt()
    {
        long itemId, taskId;
        Guid projectId;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            var ana = await db.Users.Where(u => u.DisplayName == "Ana Annotator").Select(u => u.Id).SingleAsync();
            // A task Ana never saw (the demo's labeled tasks are all hers too): the policy sent its relabel to her.
            var other = await db.Tasks.Where(t => t.ProjectId == projectId && !db.Annotations.Any(b => b.TaskId == t.Id && b.UserId == ana))
                .OrderBy(t => t.Id).Select(t => new { t.Id, AnnotationId = db.Annotations.Where(a => a.TaskId == t.Id).Select(a => (long?)a.Id).FirstOrDefault() })
                .FirstAsync();
            taskId = other.Id;
            var item = new RelabelItem
            {
                ProjectId = projectId, TaskId = taskId, AnnotationId = other.AnnotationId, AssignedToUserId = ana, CreatedAt = DateTime.UtcNow,
                Reason = "The label \"Complaint\" was redefined on 2 November",
                Context = "Complaint now covers only messages that ask for a remedy. Check whether this message still is one.",
            };
            db.RelabelItems.Add(item);
            await db.SaveChangesAsync();
            // Earlier tests (in any order) may have left Ana work that comes before relabels in her queue: a task open in
            // her tab, a re-test, or work a reviewer sent back. Set them aside so the relabel request is next.
            await db.Reservations.Where(r => r.UserId == ana).ExecuteUpdateAsync(u => u.SetProperty(r => r.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
            await db.Retests.Where(r => r.UserId == ana && r.ClosedAt == null).ExecuteUpdateAsync(u => u.SetProperty(r => r.ClosedAt, DateTime.UtcNow));
            await db.Annotations.Where(a => a.UserId == ana && a.Status == Portal.Core.Labeling.AnnotationStatus.Rejected)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, Portal.Core.Labeling.AnnotationStatus.Submitted));
            itemId = item.Id;
        }

        var page = await SignInAsync("annotator1");
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/label").ToString());
        await WaitInteractiveAsync(page);

        await Assertions.Expect(page.Locator("#task-id")).ToHaveTextAsync(taskId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#relabel-request")).ToContainTextAsync("Relabel requested: The label \"Complaint\" was redefined");
        await Assertions.Expect(page.Locator("#relabel-context")).ToContainTextAsync("only messages that ask for a remedy");
        await Assertions.Expect(page.Locator("#skip")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("labeling-relabel-request-1366x900"), FullPage = true });

        await page.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
        await page.Locator(".question[data-control='sentiment'] .mud-radio").First.ClickAsync();
        await page.Locator("#submit").ClickAsync();
        await Assertions.Expect(page.Locator("#relabel-request")).ToHaveCountAsync(0);

        await using var check = Db();
        var done = await check.RelabelItems.SingleAsync(r => r.Id == itemId);
        Assert.NotNull(done.ResolvedAt);
        Assert.NotNull(done.RelabelAnnotationId);
    }
}
