using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>A definition edit in Chromium: published on its own, read back as a diff, and numbered in the annotators' guidelines.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DefinitionHistoryBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Manager_EditsADefinition_PublishesIt_SeesTheDiff_AndAnnotatorsSeeTheNewVersionNumber()
    {
        var next = await NextVersionAsync();
        var manager = await SignInAsync("manager", 1366, 900);
        await new HomePageObject(manager).OpenFromMenuAsync("taxonomy");
        await manager.Locator("#label-tree").WaitForAsync();
        await WaitInteractiveAsync(manager);

        await manager.Locator(".tree-label[data-label='Person']").ClickAsync();
        await manager.Locator("#label-description").FillAsync("A named human being: a customer, an employee or a courier.\nNot a company.");
        await manager.Locator("#save-label").ClickAsync();
        await Assertions.Expect(manager.Locator("#draft-changes")).ToContainTextAsync("unpublished edits of definitions");
        await manager.Locator("#publish").ClickAsync();
        await Assertions.Expect(manager.Locator("#impact")).ToContainTextAsync("Edit the definition of \"Person\"");
        await manager.Locator("#confirm-publish").ClickAsync();
        await Assertions.Expect(manager.Locator("#current-version")).ToHaveTextAsync($"Published: v{next}");

        await Assertions.Expect(manager.Locator("#definition-v2")).ToContainTextAsync($"came with label set v{next}");
        await Assertions.Expect(manager.Locator("#definition-v2 .diff-added").First).ToContainTextAsync("A named human being");
        await Assertions.Expect(manager.Locator("#definition-v2 .diff-removed")).ToContainTextAsync("A named individual");
        await manager.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("definition-history-1366x900"), FullPage = true });

        var ana = await SignInAsync("annotator1", 1366, 900);
        await ana.Locator("a.start-labeling").ClickAsync();
        await WaitInteractiveAsync(ana);
        await ana.Locator("#open-guidelines").ClickAsync();
        await Assertions.Expect(ana.Locator("#guidelines-versions")).ToContainTextAsync($"Label set v{next}");
        await Assertions.Expect(ana.Locator("#guidelines .label-card[data-label='Person'] .label-card-version")).ToContainTextAsync("Definition v2, changed");
        await Assertions.Expect(ana.Locator("#guidelines .label-card[data-label='Location / City'] .label-card-version")).ToContainTextAsync("Definition v1");
        // The drawer slides in; the picture waits until it stands still.
        await ana.WaitForFunctionAsync("() => document.querySelector('#guidelines').getBoundingClientRect().right <= window.innerWidth");
        await ana.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("guidelines-drawer-1366x900") });
    }

    /// <summary>The number the next publish gets: the demo and earlier tests on the shared database publish too.</summary>
    private async Task<int> NextVersionAsync()
    {
        await using var db = Db();
        return await db.TaxonomyVersions.MaxAsync(v => v.Number) + 1;
    }
}
