using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// A Label Studio re-import that adds a person's annotation to a task the project has (the page says so), then the
/// CoNLL export with all-O documents for tasks without results, and Label Studio's TSV as a download.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LabelStudioDataBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Portal:Jobs:RunServer"] = "true",
        ["Portal:Jobs:WorkerCount"] = "1",
    };

    private static readonly PageWaitForSelectorOptions Long = new() { Timeout = 30_000 };

    private static async Task ChooseAsync(IPage page, string selectId, string option)
    {
        await page.Locator($".mud-select:has(#{selectId})").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = option }).First.ClickAsync();
    }

    [Fact]
    public async Task Manager_ReimportsAnAnnotationForATaskThere_ThenExportsConllWithAllOAndTsv()
    {
        var folder = TempFolder.Create();
        try
        {
            // A task of the demo nobody has annotated yet: the re-import adds Eli's annotation to it.
            string externalId, text;
            using (var db = Db())
            {
                var task = await db.Tasks.Where(t => t.ExternalId != null && !t.IsGold && !db.Annotations.Any(a => a.TaskId == t.Id)).Published(db).OrderBy(t => t.Id).FirstAsync();
                (externalId, text) = (task.ExternalId!, task.Text);
            }

            var file = Path.Combine(folder, "label-studio-again.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new[]
            {
                new
                {
                    id = externalId, data = new { text },
                    annotations = new[]
                    {
                        new
                        {
                            id = 880001, completed_by = new { email = "eli.newcomer@demo.local" },
                            result = new[] { new { from_name = "sentiment", to_name = "text", type = "choices", value = new { choices = new[] { "Neutral" } } } },
                        },
                    },
                },
            }));

            var page = await SignInAsync("manager");
            await new HomePageObject(page).OpenFromMenuAsync("data");
            await page.Locator("#import-form").WaitForAsync();
            await WaitInteractiveAsync(page);
            await page.WaitForFunctionAsync("() => document.querySelector('#import-file')?.onchange != null");
            await page.Locator("#import-file").SetInputFilesAsync(file);
            await page.Locator("#uploaded-file").WaitForAsync();
            await page.Locator("#start-import").ClickAsync();
            var job = page.Locator(".data-job[data-kind='import']").First;
            await Assertions.Expect(job.Locator(".import-migration")).ToContainTextAsync("1 of them added to 1 task(s) already in the project", new() { Timeout = 30_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-reimport-1366x900"), FullPage = true });
            using (var db = Db())
            {
                Assert.Equal(1, await db.Tasks.Where(t => t.ExternalId == externalId).Select(t => t.SubmittedCount).SingleAsync());
            }

            // The all-O option shows only for CoNLL.
            await Assertions.Expect(page.Locator("#export-unannotated")).ToHaveCountAsync(0);
            await ChooseAsync(page, "export-format", "CoNLL-2003");
            await page.Locator("#export-unannotated").ClickAsync();
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-export-conll-all-o-1366x900"), FullPage = true });
            await page.Locator("#start-export").ClickAsync();
            await page.WaitForSelectorAsync(".data-job[data-kind='export'][data-state='succeeded'] .download", Long);
            await Assertions.Expect(page.Locator(".data-job[data-kind='export']").First).ToContainTextAsync("tasks without results as all-O");

            await ChooseAsync(page, "export-format", "TSV");
            await page.Locator("#start-export").ClickAsync();
            await Assertions.Expect(page.Locator(".data-job[data-kind='export']").First).ToContainTextAsync("TSV", new() { Timeout = 30_000 });
            await page.Locator(".data-job[data-kind='export']").First.Locator(".download").WaitForAsync(new() { Timeout = 30_000 });
            var tsv = await page.RunAndWaitForDownloadAsync(() => page.Locator(".data-job[data-kind='export']").First.Locator(".download").ClickAsync());
            Assert.EndsWith(".tsv", tsv.SuggestedFilename, StringComparison.Ordinal);
            var path = Path.Combine(folder, "export.tsv");
            await tsv.SaveAsAsync(path);
            var header = (await File.ReadAllLinesAsync(path))[0];
            Assert.StartsWith("\"annotation_id\"\t\"annotator\"\t", header, StringComparison.Ordinal);
            Assert.Contains("\"sentiment\"", header, StringComparison.Ordinal);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }
}
