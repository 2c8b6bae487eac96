using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Components.Labeling;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Components;

/// <summary>The labeling page's "that was a check task" panel: shown after a gold task only when the project allows it.</summary>
public class CheckTaskPanelTests : ComponentTestContext
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SubmittingAGoldTask_ShowsTheCheckTaskPanel_OnlyWhenTheProjectShowsGoldFeedback(bool show)
    {
        await SignInAsync("annotator1");
        Guid projectId;
        PortalPrincipal ana;
        await using (var db = await Database.ContextAsync())
        {
            var project = await db.Projects.SingleAsync();
            project.ShowGoldFeedback = show;
            projectId = project.Id;
            var user = await db.Users.SingleAsync(u => u.DisplayName == "Ana Annotator");
            ana = new PortalPrincipal(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User });
            await db.SaveChangesAsync();
        }

        // Ana holds a task with a complete draft; the task becomes gold with an expected answer she gets one of three questions wrong.
        var labeling = Database.Get<LabelingService>();
        var item = (await labeling.NextAsync(ana, projectId, default))!;
        var intent = item.Controls.Single(c => c.Name == "intent").Labels;
        var sentiment = item.Controls.Single(c => c.Name == "sentiment").Labels;
        var draft = new AnnotationResult([], [new AnswerValue("intent", intent[0].Key), new AnswerValue("sentiment", sentiment[0].Key)]);
        await labeling.SaveDraftAsync(ana, projectId, item.TaskId, draft, item.Version, default);
        await using (var db = await Database.ContextAsync())
        {
            var expected = new AnnotationResult([], [new AnswerValue("intent", intent[1].Key), new AnswerValue("sentiment", sentiment[0].Key)]);
            db.GroundTruths.RemoveRange(db.GroundTruths.Where(g => g.TaskId == item.TaskId));
            db.GroundTruths.Add(new GroundTruth { TaskId = item.TaskId, ProjectId = projectId, TaxonomyVersionId = item.TaxonomyVersionId, ResultJson = expected.ToJson(), DecidedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var admin = new PortalPrincipal(Guid.CreateVersion7(), "Admin", new HashSet<string> { AppRoles.Admin });
        await Database.Get<GoldService>().MarkAsync(admin, projectId, [item.TaskId], default);
        var cut = Render(WithProviders<LabelingPage>((nameof(LabelingPage.ProjectId), projectId)));
        cut.WaitForAssertion(() => Assert.Equal(item.TaskId.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("#task-id").TextContent));

        await cut.Find("#submit").ClickAsync(new MouseEventArgs());

        cut.WaitForAssertion(() => Assert.NotEqual(item.TaskId.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("#task-id").TextContent));
        if (show)
        {
            cut.WaitForAssertion(() => Assert.Equal("67 %", cut.Find("#check-score").TextContent));
            Assert.Contains("not expected", cut.Find("#check-task").TextContent, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(cut.FindAll("#check-task"));
        }
    }
}
