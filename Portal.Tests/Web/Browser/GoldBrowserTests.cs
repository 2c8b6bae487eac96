using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Audits;

namespace Portal.Tests.Web.Browser;

/// <summary>Gold in Chromium: an annotator who fails their check tasks is paused and told why; a QA lead resumes them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GoldBrowserTests(BrowserFixture browser) : PortalBrowserTest(browser)
{
    /// <summary>Three tasks Ana has not labeled become gold with an answer she will not give; every task she gets is a check task.</summary>
    private async Task<Guid> GoldForAnaAsync()
    {
        var factory = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var project = await db.Projects.SingleAsync();
        (project.GoldTaskRatePercent, project.AutoPauseWindow, project.AutoPauseThreshold, project.ShowGoldFeedback) = (100, 2, 0.9, true);
        var ana = await db.Users.Where(u => u.DisplayName == "Ana Annotator").Select(u => u.Id).SingleAsync();
        var versionId = (await db.Taxonomies.Select(t => t.CurrentVersionId).SingleAsync())!.Value;
        var controls = await App.Services.GetRequiredService<LabelSetCache>().GetAsync(db, versionId, default);
        var person = controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;
        var expected = new AnnotationResult([new SpanValue("entities", person, 0, 1)],
            [new AnswerValue("intent", controls.Single(c => c.Name == "intent").Labels[1].Key), new AnswerValue("sentiment", controls.Single(c => c.Name == "sentiment").Labels[1].Key)]);
        var ids = await db.Tasks.Where(t => t.ProjectId == project.Id && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == ana))
            .OrderBy(t => t.Id).Select(t => t.Id).Take(3).ToListAsync();
        await db.GroundTruths.Where(g => ids.Contains(g.TaskId)).ExecuteDeleteAsync();
        db.GroundTruths.AddRange(ids.Select(id => new GroundTruth { TaskId = id, ProjectId = project.Id, TaxonomyVersionId = versionId, ResultJson = expected.ToJson(), DecidedAt = DateTime.UtcNow }));
        await db.SaveChangesAsync();
        using var scope = App.Services.CreateScope();
        var admin = new PortalPrincipal(Guid.CreateVersion7(), "Test admin", new HashSet<string> { AppRoles.Admin });
        await scope.ServiceProvider.GetRequiredService<GoldService>().MarkAsync(admin, project.Id, ids, default);
        return project.Id;
    }

    [Fact]
    public async Task Annotator_FailsCheckTasks_IsPausedAndToldWhy_QaLeadResumes_AndTheAnnotatorGetsTasksAgain()
    {
        var projectId = await GoldForAnaAsync();
        var ana = await SignInAsync("annotator1");
        await ana.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/label").ToString());
        await WaitInteractiveAsync(ana);

        // Quick answers that miss the expected ones, until the queue stops (at most a held task before the two check tasks).
        for (var i = 0; i < 4 && await ana.Locator("#on-hold").CountAsync() == 0; i++)
        {
            await ana.Locator("#task-id").WaitForAsync();
            var task = await ana.Locator("#task-id").InnerTextAsync();
            await ana.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
            await ana.Locator(".question[data-control='sentiment'] .mud-radio").First.ClickAsync();
            await ana.Locator("#submit").ClickAsync();
            await ana.WaitForFunctionAsync("t => !document.querySelector('#task-id') || document.querySelector('#task-id').innerText !== t", task);
        }

        await Assertions.Expect(ana.Locator("#on-hold")).ToContainTextAsync("You are paused in this project");
        // The project shows gold feedback: the last check task is explained above the hold.
        await Assertions.Expect(ana.Locator("#check-score")).ToHaveTextAsync("0 %");
        await Assertions.Expect(ana.Locator("#hold-reason")).ToContainTextAsync("over the last 2 check tasks; needs 90 %");
        await ana.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("paused-annotator-1366x900"), FullPage = true });

        var lead = await SignInAsync("reviewer", 1440, 1000);
        await lead.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/gold").ToString());
        await WaitInteractiveAsync(lead);
        // The demo has people on hold of its own (Omar paused, Eli after onboarding): Ana's card is the one to act on.
        var held = lead.Locator("#people-on-hold [data-person]", new PageLocatorOptions { HasText = "Ana Annotator" });
        await Assertions.Expect(held).ToContainTextAsync("needs 90 %");
        await lead.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("gold-page-1440x1000"), FullPage = true });
        await held.Locator(".resume").ClickAsync();
        await Assertions.Expect(held).ToHaveCountAsync(0);

        var goldTask = (await lead.Locator("#gold-tasks a").First.InnerTextAsync()).Trim();
        await lead.GotoAsync(new Uri(App.BaseAddress, $"/projects/{projectId}/tasks/{goldTask}").ToString());
        await Assertions.Expect(lead.Locator("#unmark-gold")).ToBeVisibleAsync();
        await lead.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("gold-task-1440x1000"), FullPage = true });

        await ana.ReloadAsync();
        await Assertions.Expect(ana.Locator("#task-id")).ToBeVisibleAsync();
        await Assertions.Expect(ana.Locator("#on-hold")).ToHaveCountAsync(0);
    }
}
