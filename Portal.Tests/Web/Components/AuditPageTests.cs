using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Web.Components.Audits;
using Portal.Web.Components.Labeling;
using Portal.Tests.Web.Audits;

namespace Portal.Tests.Web.Components;

public class AuditPageTests : ComponentTestContext
{
    [Fact]
    public async Task Reviewer_WorksThroughTwoItemsWithKeys_AndTheWaitingCountDrops()
    {
        await SignInAsync("reviewer");
        Guid projectId;
        List<long> samples;
        await using (var db = await Database.ContextAsync())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            // The demo's own audit of last night is not part of this test: it starts from a project without audits.
            await db.AuditRuns.ExecuteDeleteAsync();
            var reviewer = await db.Users.Where(u => u.ExternalId.EndsWith("reviewer")).Select(u => u.Id).SingleAsync();
            samples = await AuditQueueTestData.SampleAsync(db, projectId, await AuditQueueTestData.SubmittedAsync(db, projectId, 2, except: reviewer));
        }

        var cut = Render(WithProviders<AuditPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => Assert.Equal("2 waiting", cut.Find("#waiting").TextContent.Trim()));
        Assert.Contains("Ctrl+Enter", cut.Find("#audit-keys").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(cut.FindAll("#audit-targets .mud-chip"));
        await PressAsync(cut, "c");
        cut.WaitForAssertion(() => Assert.Equal("1 waiting", cut.Find("#waiting").TextContent.Trim()));

        await PressAsync(cut, "s");
        await PressAsync(cut, "e");
        cut.WaitForAssertion(() => cut.Find("#error-picker"));
        await PressAsync(cut, "1");
        cut.WaitForAssertion(() => Assert.Contains("wrong label", cut.Find("#marked-errors").TextContent, StringComparison.Ordinal));
        await PressAsync(cut, "Enter", ctrl: true);

        cut.WaitForAssertion(() => Assert.Contains("Nothing to audit", cut.Find("#queue-empty").TextContent, StringComparison.Ordinal));
        Assert.Equal($"/projects/{projectId}/audits", cut.Find("#audit-results").GetAttribute("href"));
        await using var check = await Database.ContextAsync();
        var outcomes = await check.AuditSamples.Include(s => s.Errors).OrderBy(s => s.Id).ToListAsync();
        Assert.Equal([AuditOutcome.Correct, AuditOutcome.HasErrors], outcomes.Select(s => s.Outcome));
        Assert.Equal(AuditErrorType.WrongLabel, Assert.Single(outcomes[1].Errors).ErrorType);
    }

    [Fact]
    public async Task SendBack_AsksForANote_AndReturnsTheWorkToItsAnnotator()
    {
        await SignInAsync("reviewer");
        Guid projectId;
        long annotationId;
        await using (var db = await Database.ContextAsync())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            // The demo's own audit of last night is not part of this test: it starts from a project without audits.
            await db.AuditRuns.ExecuteDeleteAsync();
            var reviewer = await db.Users.Where(u => u.ExternalId.EndsWith("reviewer")).Select(u => u.Id).SingleAsync();
            annotationId = (await AuditQueueTestData.SubmittedAsync(db, projectId, 1, except: reviewer))[0];
            await AuditQueueTestData.SampleAsync(db, projectId, [annotationId]);
        }

        var cut = Render(WithProviders<AuditPage>(("ProjectId", projectId)));
        cut.WaitForAssertion(() => Assert.Equal("1 waiting", cut.Find("#waiting").TextContent.Trim()));

        // Nothing marked yet: the page asks for the error first.
        await PressAsync(cut, "b");
        cut.WaitForAssertion(() => Assert.Contains("Mark what is wrong first", cut.Find("#audit-message").TextContent, StringComparison.Ordinal));
        await PressAsync(cut, "s");
        await PressAsync(cut, "e");
        await PressAsync(cut, "5");
        // The key's handler waits for the dialog, so the press completes only once the dialog is closed.
        var sendBack = PressAsync(cut, "b");
        cut.WaitForAssertion(() => cut.Find("textarea#send-back-note, #send-back-note textarea, input#send-back-note"));
        cut.Find("textarea#send-back-note, #send-back-note textarea, input#send-back-note").Input("Ask before you guess: see the guideline on titles.");
        cut.Find("#confirm-send-back").Click();
        await sendBack;

        cut.WaitForAssertion(() => Assert.Equal("0 waiting", cut.Find("#waiting").TextContent.Trim()));
        await using var check = await Database.ContextAsync();
        var annotation = await check.Annotations.SingleAsync(a => a.Id == annotationId);
        Assert.Equal((Portal.Core.Labeling.AnnotationStatus.Rejected, "Ask before you guess: see the guideline on titles."), (annotation.Status, annotation.ReviewComment));
        Assert.Equal(AuditErrorType.GuidelineGap, (await check.AuditSampleErrors.SingleAsync()).ErrorType);
    }

    [Fact]
    public async Task Annotator_IsToldThePageNeedsTheReviewerRole()
    {
        await SignInAsync("annotator1");
        await using var db = await Database.ContextAsync();
        var projectId = await db.Projects.Select(p => p.Id).SingleAsync();

        var cut = Render(WithProviders<AuditPage>(("ProjectId", projectId)));

        cut.WaitForAssertion(() => Assert.Contains("needs the Reviewer role", cut.Find("#no-access").TextContent, StringComparison.Ordinal));
    }

    /// <summary>A key as the text's script reports it (the script itself runs only in a browser).</summary>
    private static Task PressAsync(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> cut, string key, bool ctrl = false) =>
        cut.InvokeAsync(() => cut.FindComponent<SpanText>().Instance.Key(key, ctrl, shift: false));
}
