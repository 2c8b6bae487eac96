using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Review;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>The task browser in Chromium: a manager filters to low agreement and label Product, ticks two tasks and marks them as gold.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TaskBrowserBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    /// <summary>The project's first two tasks labeled Product get a low agreement and a ground truth, and are not gold.</summary>
    private async Task<(Guid ProjectId, List<long> Ids)> TwoLowProductTasksAsync()
    {
        var factory = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();
        var version = (await db.Taxonomies.Select(t => t.CurrentVersionId).SingleAsync())!.Value;
        var product = await db.Labels.Where(l => l.TaxonomyVersionId == version && l.Name == "Product").Select(l => l.Key).SingleAsync();
        var ids = await db.Tasks.Where(t => t.ProjectId == projectId && t.DeletedAt == null
                && db.Annotations.Any(a => a.TaskId == t.Id && db.AnnotationSpans.Any(s => s.AnnotationId == a.Id && s.LabelKey == product)))
            .OrderBy(t => t.Id).Select(t => t.Id).Take(2).ToListAsync();
        Assert.Equal(2, ids.Count);
        await db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteUpdateAsync(s => s.SetProperty(t => t.Agreement, 0.3).SetProperty(t => t.IsGold, false));
        await db.GoldAnswers.Where(g => ids.Contains(g.TaskId)).ExecuteDeleteAsync();
        var withTruth = await db.GroundTruths.Where(g => ids.Contains(g.TaskId)).Select(g => g.TaskId).ToListAsync();
        db.GroundTruths.AddRange(ids.Except(withTruth).Select(id => new GroundTruth
        {
            TaskId = id, ProjectId = projectId, TaxonomyVersionId = version, ResultJson = "{\"spans\":[],\"answers\":[]}", Source = GroundTruthSource.Review, DecidedAt = DateTime.UtcNow,
        }));
        await db.SaveChangesAsync();
        return (projectId, ids);
    }

    [Fact]
    public async Task Manager_FiltersToLowAgreementAndProduct_MarksTwoAsGold_AndSeesThemMarked()
    {
        var (projectId, ids) = await TwoLowProductTasksAsync();
        var page = await SignInAsync("manager", 1440, 1000);
        await page.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/tasks").ToString());
        await WaitInteractiveAsync(page);

        await page.Locator("div.mud-select:has(#filter-label)").First.ClickAsync();
        // Exactly "Product": the label set also has "Complaint / Product quality".
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasTextRegex = new System.Text.RegularExpressions.Regex(@"(^|/ )Product$") }).First.ClickAsync();
        await page.Locator("#filter-agreement-max").FillAsync("0.6");
        await page.Locator("#filter-agreement-max").PressAsync("Tab");
        await Assertions.Expect(page.Locator("#active-filters")).ToContainTextAsync("Agreement at most 0.60");
        await Assertions.Expect(page.Locator("#active-filters")).ToContainTextAsync("Product");
        Assert.Contains("agreementMax=0.6", page.Url, StringComparison.Ordinal);

        foreach (var id in ids)
        {
            await page.Locator("#task-table tbody tr", new PageLocatorOptions { Has = page.Locator($"a[href$='/tasks/{id}']") }).Locator("input[type=checkbox]").CheckAsync();
        }

        await Assertions.Expect(page.Locator("#selection-count")).ToContainTextAsync("2 task(s) ticked");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("task-browser-filtered-1440x1000"), FullPage = true });
        await page.Locator("#bulk-actions").ClickAsync();
        await page.Locator("#bulk-gold").ClickAsync();

        await Assertions.Expect(page.Locator("#bulk-result")).ToContainTextAsync("2 task(s) marked as gold");
        foreach (var id in ids)
        {
            await Assertions.Expect(page.Locator("#task-table tbody tr", new PageLocatorOptions { Has = page.Locator($"a[href$='/tasks/{id}']") }).Locator(".task-gold"))
                .ToContainTextAsync("Gold");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("task-browser-marked-gold-1440x1000"), FullPage = true });
        var factory = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        Assert.Equal(2, await db.Tasks.CountAsync(t => ids.Contains(t.Id) && t.IsGold));
    }
}
