using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Data.Queries;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// Import and export in Chromium, with the portal's own Hangfire server running the jobs: a Label Studio export with an
/// unknown label (mapped in the page), a CSV with a bad row, progress that survives a reload, CoNLL and Label Studio
/// JSON downloads, and a 100k-task import whose progress is pushed to the page; a Label Studio re-import adding a
/// person's annotation to a task there, CoNLL with all-O documents and Label Studio's TSV.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DataBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
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

    /// <summary>Signs the manager in and opens the data page, ready for a file.</summary>
    private async Task<IPage> OpenDataPageAsync()
    {
        var page = await SignInAsync("manager");
        await new HomePageObject(page).OpenFromMenuAsync("data");
        await page.Locator("#import-form").WaitForAsync();
        await WaitInteractiveAsync(page);
        await page.WaitForFunctionAsync("() => document.querySelector('#import-file')?.onchange != null");
        return page;
    }

    private static async Task UploadAsync(IPage page, string file, float timeout = 30_000)
    {
        await page.Locator("#import-file").SetInputFilesAsync(file);
        await page.Locator("#uploaded-file").WaitForAsync(new LocatorWaitForOptions { Timeout = timeout });
    }

    [Fact]
    public async Task Manager_ImportsALabelStudioExportAndACsv_ThenExportsCoNLLAndLabelStudioJson()
    {
        var folder = TempFolder.Create();
        try
        {
            const string text = "Maria Lopez bought a Gizmo 3000 from Acme Ltd.";
            var ls = Path.Combine(folder, "label-studio.json");
            await File.WriteAllTextAsync(ls, $$$"""
                [{"id":701,"data":{"text":"{{{text}}}"},
                  "annotations":[{"completed_by":{"email":"ana.annotator@demo.local"},"result":[
                    {"from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":11,"labels":["Person"]}},
                    {"from_name":"entities","to_name":"text","type":"labels","value":{"start":21,"end":31,"labels":["Gadget"]}}]}],
                  "predictions":[{"model_version":"ner-v2","result":[{"from_name":"entities","to_name":"text","type":"labels","value":{"start":37,"end":45,"labels":["Company"]}}]}]}]
                """);
            var csv = Path.Combine(folder, "tickets.csv");
            await File.WriteAllTextAsync(csv, "ticket,body,priority\nT-1,\"My parcel from DHL never came\",high\nT-2,\"Broken\",ragged,row\nT-3,\"=HYPERLINK(\"\"x\"\") thanks\",low\n");

            var page = await OpenDataPageAsync();

            // Label Studio export: "Gadget" is not a label of the project; the page asks, the manager maps it to Product.
            await UploadAsync(page, ls);
            await page.Locator("#start-import").ClickAsync();
            await page.WaitForSelectorAsync(".data-job[data-state='waiting'] .unknown-label[data-name='Gadget']", Long);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-decision-1366x900"), FullPage = true });
            await page.Locator(".unknown-label[data-name='Gadget'] .mud-select").First.ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = "The label \"Product\"" }).ClickAsync();
            await Assertions.Expect(page.Locator(".unknown-label[data-name='Gadget'] input").First).Not.ToHaveValueAsync("add");
            await page.Locator(".continue-import").ClickAsync();
            await page.WaitForSelectorAsync(".data-job[data-kind='import'][data-state='succeeded']", Long);
            // The Label Studio account: what was kept, converted and could not be represented.
            await Assertions.Expect(page.Locator(".data-job[data-kind='import'] .import-migration").First).ToContainTextAsync("Kept: 1 of 1 annotation(s) imported");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-label-studio-account-1366x900"), FullPage = true });

            // CSV: the text column is found by its name; the ragged row is reported, the others imported.
            await UploadAsync(page, csv);
            await Assertions.Expect(page.Locator("#csv-text-column")).ToHaveValueAsync("body");
            await page.GetByText("Import the good rows and list the rest").ClickAsync();
            await page.Locator("#start-import").ClickAsync();
            // The job is kept by the server: a reload shows it, and its outcome.
            await page.ReloadAsync();
            await WaitInteractiveAsync(page);
            await page.WaitForFunctionAsync("() => document.querySelectorAll(\".data-job[data-kind='import'][data-state='succeeded']\").length === 2", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
            var csvJob = page.Locator(".data-job[data-kind='import']").First;
            await Assertions.Expect(csvJob.Locator(".data-count[data-label='Imported']")).ToContainTextAsync("2");
            await Assertions.Expect(csvJob.Locator(".data-count[data-label='Rejected']")).ToContainTextAsync("1");
            await csvJob.Locator(".show-errors").ClickAsync();
            await Assertions.Expect(csvJob.Locator(".job-errors")).ToContainTextAsync("4 cells where the header has 3");

            using (var db = Db())
            {
                var task = await db.Tasks.SingleAsync(t => t.ExternalId == "701");
                var annotation = await db.Annotations.Include(a => a.Spans).SingleAsync(a => a.TaskId == task.Id);
                var product = await db.Labels.Where(l => l.Name == "Product").Select(l => l.Key).FirstAsync();
                Assert.Contains(annotation.Spans, s => s.LabelKey == product && (s.Start, s.End) == (21, 31));
                Assert.Equal("=HYPERLINK(\"x\") thanks", (await db.Tasks.SingleAsync(t => t.ExternalId == "T-3")).Text);
            }

            // Exports: CoNLL-2003, then Label Studio JSON; each a download when done.
            await ChooseAsync(page, "export-format", "CoNLL-2003");
            await page.Locator("#start-export").ClickAsync();
            await page.WaitForSelectorAsync(".data-job[data-kind='export'][data-state='succeeded'] .download", Long);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-1366x900"), FullPage = true });
            var conll = await page.RunAndWaitForDownloadAsync(() => page.Locator(".data-job[data-kind='export'] .download").First.ClickAsync());
            var conllPath = Path.Combine(folder, conll.SuggestedFilename);
            await conll.SaveAsAsync(conllPath);
            var conllText = await File.ReadAllTextAsync(conllPath);
            Assert.StartsWith("-DOCSTART- -X- O", conllText, StringComparison.Ordinal);
            Assert.Contains("Maria -X- _ B-Person\nLopez -X- _ I-Person", conllText, StringComparison.Ordinal);

            await ChooseAsync(page, "export-format", "Label Studio JSON");
            await page.Locator("#start-export").ClickAsync();
            await page.WaitForFunctionAsync("() => document.querySelectorAll(\".data-job[data-kind='export'][data-state='succeeded'] .download\").length === 2", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
            var json = await page.RunAndWaitForDownloadAsync(() => page.Locator(".data-job[data-kind='export'] .download").First.ClickAsync());
            Assert.EndsWith(".json", json.SuggestedFilename, StringComparison.Ordinal);
            var jsonPath = Path.Combine(folder, "export.json");
            await json.SaveAsAsync(jsonPath);
            using var exported = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
            var mine = exported.RootElement.EnumerateArray().Single(t => t.TryGetProperty("meta", out var m) && m.GetProperty("external_id").GetRawText() == "701");
            Assert.Equal("ana.annotator@demo.local", mine.GetProperty("annotations")[0].GetProperty("completed_by").GetProperty("email").GetString());
            Assert.Equal("ner-v2", mine.GetProperty("predictions")[0].GetProperty("model_version").GetString());
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    [Fact]
    public async Task A100kTaskImport_ShowsAMovingProgressBar_AndCompletesWithoutAReload()
    {
        var folder = TempFolder.Create();
        try
        {
            var file = Path.Combine(folder, "hundred-thousand.jsonl");
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, 100_000).Select(i =>
                $$"""{"id":"bulk-{{i}}","text":"Customer {{i}} writes that the parcel from order {{i * 7}} arrived late, the box was open and the charger is missing."}"""));

            var page = await OpenDataPageAsync();
            await UploadAsync(page, file, 60_000);

            // Every progress value the page shows, as the server pushes it (no reload, no polling by the test).
            await page.EvaluateAsync("""
                () => {
                    window.seenPercents = new Set();
                    const note = () => document.querySelectorAll(".data-job[data-kind='import'] .run-progress[data-percent]")
                        .forEach(e => { if (e.dataset.percent !== "") window.seenPercents.add(e.dataset.percent); });
                    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-percent"] });
                }
                """);
            await page.Locator("#start-import").ClickAsync();
            await page.WaitForFunctionAsync("() => window.seenPercents.size >= 2", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-import-running-1366x900"), FullPage = true });
            await page.WaitForSelectorAsync(".data-job[data-kind='import'][data-state='succeeded']", new PageWaitForSelectorOptions { Timeout = 120_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("data-import-done-1366x900"), FullPage = true });

            var seen = await page.EvaluateAsync<string[]>("() => [...window.seenPercents]");
            Assert.True(seen.Length >= 2, $"the bar should move; it showed {string.Join(", ", seen)}");
            await Assertions.Expect(page.Locator(".data-job[data-kind='import'] .data-count[data-label='Imported']").First).ToContainTextAsync("100,000");
            using var db = Db();
            Assert.Equal(100_000, await db.Tasks.CountAsync(t => t.ExternalId != null && t.ExternalId.StartsWith("bulk-")));
        }
        finally
        {
            TempFolder.Delete(folder);
        }
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

            var page = await OpenDataPageAsync();
            await UploadAsync(page, file);
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
