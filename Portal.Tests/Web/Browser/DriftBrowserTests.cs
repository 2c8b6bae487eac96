using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Drift;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// The drift loop in Chromium: a manager opens the drift page after last night's checks, sees every finding with its
/// evidence, creates relabel tasks from one; the annotators get them with the reason, relabel, and the finding resolves.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DriftBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Manager_SeesFindingsWithEvidence_SendsOldWorkToRelabel_AndAfterTheRelabelsTheFindingResolves()
    {
        Guid projectId;
        long ageId;
        await using (var db = Db())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            ageId = await db.DriftFindings.Where(f => f.Kind == DriftKind.Age && f.State == DriftFindingState.Open).Select(f => f.Id).SingleAsync();
        }

        var manager = await SignInAsync("manager");
        await manager.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/drift").ToString());
        await WaitInteractiveAsync(manager);
        foreach (var kind in Enum.GetValues<DriftKind>())
        {
            await Assertions.Expect(manager.Locator($"[data-kind='{kind}']").First).ToBeVisibleAsync();
        }

        await Assertions.Expect(manager.Locator(".distribution-chart").First).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator(".agreement-chart").First).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator(".gold-chart").First).ToBeVisibleAsync();
        await Assertions.Expect(manager.Locator(".definition-diff").First).ToContainTextAsync("product family");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("drift-page-1366x900"), FullPage = true });

        var age = manager.Locator($"#finding-{ageId}");
        await age.Locator(".show-items").ClickAsync();
        await Assertions.Expect(age.Locator(".drift-items .task-link")).ToHaveCountAsync(3);
        await age.Locator(".create-relabel").ClickAsync();
        await Assertions.Expect(age.Locator(".relabel-progress")).ToContainTextAsync("0 of 3 done");

        List<(Guid User, string ExternalId)> assignees;
        await using (var db = Db())
        {
            assignees = [.. (await db.RelabelItems.Where(r => r.DriftFindingId == ageId)
                    .Join(db.Users, r => r.AssignedToUserId, u => u.Id, (r, u) => new { u.Id, u.ExternalId }).ToListAsync())
                .Select(x => (x.Id, x.ExternalId)).Distinct()];
            // Earlier tests may have left a task open in someone's tab: it would come first in their queue.
            var ids = assignees.Select(a => a.User).ToList();
            await db.Reservations.Where(r => ids.Contains(r.UserId)).ExecuteUpdateAsync(u => u.SetProperty(r => r.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        foreach (var (user, externalId) in assignees)
        {
            var annotator = await SignInAsync(externalId["demo:".Length..]);
            await annotator.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/label").ToString());
            await WaitInteractiveAsync(annotator);
            for (var i = 0; i < 3 && await annotator.Locator("#relabel-request").CountAsync() > 0; i++)
            {
                await Assertions.Expect(annotator.Locator("#relabel-request")).ToContainTextAsync("old work");
                if (i == 0)
                {
                    await annotator.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("drift-relabel-task-1366x900"), FullPage = true });
                }

                var task = await annotator.Locator("#task-id").TextContentAsync();
                await annotator.Locator("#submit").ClickAsync();
                await Assertions.Expect(annotator.Locator("#task-id")).Not.ToHaveTextAsync(task!);
            }
        }

        await manager.ReloadAsync();
        await WaitInteractiveAsync(manager);
        await manager.Locator("#show-closed").ClickAsync();
        await Assertions.Expect(manager.Locator($"#finding-{ageId} .state")).ToHaveTextAsync("resolved");
        await Assertions.Expect(manager.Locator($"#finding-{ageId} .relabel-progress")).ToContainTextAsync("3 of 3 done");
        await using var check = Db();
        Assert.Equal(DriftFindingState.Resolved, (await check.DriftFindings.SingleAsync(f => f.Id == ageId)).State);
        Assert.All(await check.RelabelItems.Where(r => r.DriftFindingId == ageId).ToListAsync(), r => Assert.Equal((true, 1.0), (r.ResolvedAt != null, r.Agreement)));
    }

    [Fact]
    public async Task QaLead_HearsOfLastNightsFindings_InTheBell_AndAClickOpensTheFinding()
    {
        int unread;
        await using (var db = Db())
        {
            var riley = await db.Users.Where(u => u.ExternalId == "demo:reviewer").Select(u => u.Id).SingleAsync();
            unread = await db.Notifications.CountAsync(n => n.UserId == riley && n.ReadAt == null);
            Assert.False(await db.Notifications.AnyAsync(n => db.Users.Any(u => u.Id == n.UserId && u.ExternalId.StartsWith("demo:annotator"))), "Annotators never hear of findings.");
        }

        var page = await SignInAsync("reviewer");
        await WaitInteractiveAsync(page);
        var bell = page.Locator(".notification-bell button").First;
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", $"Notifications: {unread} unread");
        await bell.ClickAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("notification-bell-1366x900") });
        var first = page.Locator(".notification.unread").First;
        await Assertions.Expect(first).ToContainTextAsync("drift in Customer messages");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("notification-bell-1366x900") });
        await first.ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/projects/[0-9a-f-]+/drift#finding-[0-9]+$"));
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", $"Notifications: {unread - 1} unread");
        await page.GotoAsync(new Uri(App.BaseAddress, "/notifications").ToString());
        await WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#notification-list")).ToContainTextAsync("drift in Customer messages");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("notifications-page-1366x900"), FullPage = true });
    }
}
