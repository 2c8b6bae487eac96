using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Browser;

/// <summary>Links between spans and a written answer in Chromium: drawn, typed, submitted with Ctrl+Enter, then shown read-only.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RelationsBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    [Fact]
    public async Task Annotator_LinksTwoSpans_WritesAnAnswer_SubmitsWithCtrlEnter_AndTheTaskPageShowsBoth()
    {
        var page = await SignInAsync("annotator3", 1366, 900);
        await page.Locator("a.start-labeling").First.ClickAsync();
        await page.Locator(".span-text").WaitForAsync();
        await WaitInteractiveAsync(page);
        var taskText = await page.Locator("#task-id").InnerTextAsync();
        var taskId = long.Parse(taskText, System.Globalization.CultureInfo.InvariantCulture);

        // Two spans: the first word as a person, the next word (keyboard selection) as an organization.
        var first = await DragOverFirstWordAsync(page);
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Locator("#span-list")).ToContainTextAsync($"Person {first}");
        // The task may come with spans already (a draft of an earlier run, accepted suggestions): count from here.
        var before = await page.Locator("#span-list .mud-chip").CountAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(page.Locator("#span-list .mud-chip")).ToHaveCountAsync(before + 1);

        // Pick the first span, "Link to…" the other one as "works for".
        await page.Locator("#span-list .mud-chip").First.ClickAsync();
        await page.Locator(".relation-question .link-to").ClickAsync();
        await page.Locator(".mud-select:has(#link-target-links)").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").First.ClickAsync();
        await page.Locator(".mud-select:has(#link-type-links)").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = "works for" }).ClickAsync();
        await page.Locator(".relation-question .add-link").ClickAsync();
        await Assertions.Expect(page.Locator(".relation-line").First).ToContainTextAsync("→ works for →");

        const string summary = "Asks where the order is.\nWants a call back.";
        await page.Locator(".free-text-question textarea").First.FillAsync(summary);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("labeling-relations-1366x900"), FullPage = true });
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#task-id")).Not.ToHaveTextAsync(taskText);

        await using var db = Db();
        var chloe = await db.Users.Where(u => u.DisplayName == "Chloe Annotator").Select(u => u.Id).SingleAsync();
        var annotation = await db.Annotations.SingleAsync(a => a.TaskId == taskId && a.UserId == chloe);
        var saved = AnnotationResult.FromJson(await db.AnnotationRevisions.Where(r => r.AnnotationId == annotation.Id)
            .OrderByDescending(r => r.Number).Select(r => r.ResultJson).FirstAsync());
        Assert.Equal(AnnotationStatus.Submitted, annotation.Status);
        Assert.Equal(summary, Assert.Single(saved.Texts).Text);
        Assert.NotEmpty(saved.Relations);

        var admin = await SignInAsync("admin", 1366, 900);
        await admin.GotoAsync(new Uri(App.BaseAddress, $"projects/{annotation.ProjectId}/tasks/{taskId}").ToString());
        await Assertions.Expect(admin.Locator(".written-text").First).ToHaveTextAsync(summary);
        await Assertions.Expect(admin.Locator(".relation-line").First).ToContainTextAsync("works for");
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("task-relations-1366x900"), FullPage = true });
    }

    [Fact]
    public async Task Manager_StartsAProjectFromALabelStudioConfig_WithRelationsAndFreeText()
    {
        var page = await SignInAsync("manager", 1366, 900);
        await WaitInteractiveAsync(page);
        var home = new HomePageObject(page);
        await home.NewProjectButton.ClickAsync();
        await page.Locator("input#project-name").FillAsync($"From Label Studio {Guid.NewGuid():N}"[..30]);
        await page.Locator(".mud-dialog input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "config.xml", MimeType = "text/xml",
            Buffer = System.Text.Encoding.UTF8.GetBytes("""
                <View>
                  <Text name="text" value="$text"/>
                  <Labels name="ner" toName="text"><Label value="Person"/><Label value="Organization"/></Labels>
                  <Relations><Relation value="works for"/></Relations>
                  <TextArea name="summary" toName="text"/>
                </View>
                """),
        });

        await Assertions.Expect(page.Locator("#starting-file-summary")).ToContainTextAsync("relations (relations), summary (text)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("new-project-from-config-1366x900") });
        await page.Locator("#create-project").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
    }
}
