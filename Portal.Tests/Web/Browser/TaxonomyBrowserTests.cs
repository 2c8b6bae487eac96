using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>The taxonomy editor in Chromium: a rename of a label in use, published, shows in the annotators' work.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TaxonomyBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Manager_RenamesALabelInUse_Publishes_AndTheAnnotationsShowTheNewName()
    {
        var next = await NextVersionAsync();
        var manager = await SignInAsync("manager", 1366, 900);
        await new HomePageObject(manager).OpenFromMenuAsync("taxonomy");
        await manager.Locator("#label-tree").WaitForAsync();
        await WaitInteractiveAsync(manager);

        await manager.Locator(".tree-label[data-label='Person']").ClickAsync();
        await manager.Locator("input#label-name").FillAsync("Individual");
        await manager.Locator("#save-label").ClickAsync();
        await Assertions.Expect(manager.Locator("#draft-changes")).ToContainTextAsync("1 unpublished change");
        await Assertions.Expect(manager.Locator(".tree-label[data-label='Individual']")).ToBeVisibleAsync();
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("taxonomy-1366x900"), FullPage = true });

        await manager.Locator("#publish").ClickAsync();
        await Assertions.Expect(manager.Locator("#impact")).ToContainTextAsync("Rename \"Person\" to \"Individual\"");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("taxonomy-publish-1366x900") });
        await manager.Locator("#publish-notes").FillAsync("Person is now Individual.");
        await manager.Locator("#confirm-publish").ClickAsync();
        await Assertions.Expect(manager.Locator("#current-version")).ToHaveTextAsync($"Published: v{next}");
        await Assertions.Expect(manager.Locator("#draft-changes")).ToHaveCountAsync(0);

        // The version diff lists the rename.
        await manager.GetByText("Versions and changes").ClickAsync();
        await manager.Locator("#compare").ClickAsync();
        await Assertions.Expect(manager.Locator("#diff")).ToContainTextAsync("\"Person\" renamed to \"Individual\"");

        // Ana's work: her history keeps the order of her own changes (the rename is not new work of hers), and a migrated
        // annotation says it was updated since and shows the new name with the reason. Her most recently touched one of them:
        var projectId = await Db().Projects.Select(p => p.Id).SingleAsync();
        long migratedTask;
        await using (var db = Db())
        {
            var anaId = await db.Users.Where(u => u.Email == "ana.annotator@demo.local").Select(u => u.Id).SingleAsync();
            migratedTask = await db.Annotations.Where(a => a.UserId == anaId
                    && db.AnnotationRevisions.Any(r => r.AnnotationId == a.Id && r.Reason == RevisionReason.TaxonomyMigration && r.Note!.Contains("\"Individual\"")))
                .OrderByDescending(a => db.AnnotationRevisions.Where(r => r.AnnotationId == a.Id && r.ChangedById == anaId).Max(r => r.ChangedAt))
                .Select(a => a.TaskId).FirstAsync();
        }

        var ana = await SignInAsync("annotator1", 1366, 900);
        await ana.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/history").ToString());
        await WaitInteractiveAsync(ana);
        await Assertions.Expect(ana.Locator($".changed-since[data-task='{migratedTask}']")).ToBeVisibleAsync();
        await ana.Locator($".changes[data-task='{migratedTask}']").ClickAsync();
        await Assertions.Expect(ana.Locator(".revisions")).ToContainTextAsync($"taxonomy v{next - 1} -> v{next}: \"Person\" renamed to \"Individual\"");
        await Assertions.Expect(ana.Locator(".revisions")).ToContainTextAsync("+ Individual:");
        await ana.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("revisions-taxonomy-1366x900") });
    }

    [Fact]
    public async Task Manager_SplitsALabel_WhileAnAnnotatorWorks_HerDraftKeepsSaving_AndSplitWorkComesBackToHer()
    {
        // Ana is mid-task with a saved draft.
        var ana = await SignInAsync("annotator1", 1366, 900);
        await ana.Locator("a.start-labeling").ClickAsync();
        await WaitInteractiveAsync(ana);
        var task = await ana.Locator("#task-id").InnerTextAsync();
        await ana.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
        await Assertions.Expect(ana.Locator("#save-status")).ToContainTextAsync("Draft saved", new LocatorAssertionsToContainTextOptions { Timeout = 5000 });

        // The manager splits City and publishes version 2.
        var next = await NextVersionAsync();
        var manager = await SignInAsync("manager", 1366, 900);
        await new HomePageObject(manager).OpenFromMenuAsync("taxonomy");
        await WaitInteractiveAsync(manager);
        await manager.Locator(".tree-label[data-label='Location / City']").ClickAsync();
        await manager.Locator("#split").ClickAsync();
        await manager.Locator("#new-label-names").FillAsync("Town\nVillage");
        await manager.Locator("#confirm-new-labels").ClickAsync();
        await Assertions.Expect(manager.Locator(".tree-label[data-label='Location / Village']")).ToBeVisibleAsync();
        await manager.Locator("#publish").ClickAsync();
        await Assertions.Expect(manager.Locator("#impact")).ToContainTextAsync("Split \"Location / City\" into \"Location / Town\", \"Location / Village\"");
        await manager.Locator("#confirm-publish").ClickAsync();
        await Assertions.Expect(manager.Locator("#current-version")).ToHaveTextAsync($"Published: v{next}");

        // Ana keeps working on her open page: the next change saves without a conflict, and she submits.
        await ana.Locator(".question[data-control='sentiment'] .mud-radio").First.ClickAsync();
        await Assertions.Expect(ana.Locator("#save-status")).ToContainTextAsync("Draft saved", new LocatorAssertionsToContainTextOptions { Timeout = 5000 });
        await WaitEditorAsync(ana);
        await ana.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(ana.Locator("#task-id")).Not.ToHaveTextAsync(task);

        // Her earlier work with a City span comes back first, saying why; City is marked as no longer used.
        await Assertions.Expect(ana.Locator("#review-comment")).ToContainTextAsync("\"Location / City\" was split");
        await Assertions.Expect(ana.Locator("#span-list")).ToContainTextAsync("City (no longer used)");
        await ana.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("labeling-relabel-1366x900"), FullPage = true });
        await WaitEditorAsync(ana);
        await ana.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(ana.Locator("#labeling-errors")).ToContainTextAsync("\"Location / City\" is no longer used");
    }

    /// <summary>The number the next publish gets: the demo and earlier tests on the shared database publish too.</summary>
    private async Task<int> NextVersionAsync()
    {
        await using var db = Db();
        return await db.TaxonomyVersions.MaxAsync(v => v.Number) + 1;
    }
}
