using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Labeling;

namespace Portal.Web.Demo;

/// <summary>
/// Gold tasks and the people they judge, through the real services: twelve tasks come "imported with their expected
/// answer" and are marked gold by the QA lead; Ana and Ben meet each once and score well; Omar passed onboarding and
/// was then paused by her rolling gold score; Eli failed onboarding and waits for the QA lead's decision.
/// </summary>
internal sealed class DemoGold(IDbContextFactory<PortalDbContext> factory, IServiceScopeFactory scopes)
{
    public const int GoldTasks = 12;

    public async Task RunAsync(Guid projectId, IReadOnlyDictionary<string, User> users, Func<LabelingTask, AnnotationResult> careful, CancellationToken ct)
    {
        var ids = await ImportExpectedAnswersAsync(projectId, users["manager"], careful, ct);
        await using var scope = scopes.CreateAsyncScope();
        var gold = scope.ServiceProvider.GetRequiredService<GoldService>();
        await gold.MarkAsync(Principal(users["reviewer"]), projectId, ids, ct);

        // Every check task first while seeding, so each person meets them in a known order; the project's real rate afterwards.
        await SettingsAsync(projectId, p => p.GoldTaskRatePercent = 100, ct);
        var labeling = scope.ServiceProvider.GetRequiredService<LabelingService>();
        foreach (var key in new[] { "annotator1", "annotator2" })
        {
            await LabelGoldAsync(labeling, projectId, users[key], careful, [.. Enumerable.Repeat(true, GoldTasks)], ct);
        }

        // Omar: onboarding passed (3 good), then three rushed check tasks in a row pause her.
        await LabelGoldAsync(labeling, projectId, users["annotator4"], careful, [true, true, true, false, false, false], ct);
        // Eli: one good, two rushed: below the onboarding threshold.
        await LabelGoldAsync(labeling, projectId, users["annotator5"], careful, [true, false, false], ct);
        await SettingsAsync(projectId, p => p.GoldTaskRatePercent = 10, ct);
    }

    /// <summary>The expected answers of twelve unlabeled tasks, as an import with a gold flag writes them (ground truth, source Imported).</summary>
    private async Task<List<long>> ImportExpectedAnswersAsync(Guid projectId, User manager, Func<LabelingTask, AnnotationResult> careful, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var version = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync(ct) ?? Guid.Empty;
        var tasks = await db.Tasks.Where(t => t.ProjectId == projectId && t.SubmittedCount == 0 && t.AssignedCount == 0)
            .OrderByDescending(t => t.Id).Take(GoldTasks).ToListAsync(ct);
        var at = tasks.Min(t => t.CreatedAt);
        foreach (var task in tasks)
        {
            db.GroundTruths.Add(new GroundTruth
            {
                TaskId = task.Id, ProjectId = projectId, TaxonomyVersionId = version, ResultJson = careful(task).ToJson(), Source = GroundTruthSource.Imported,
                Rule = "imported", DecidedById = manager.Id, DecidedAt = at,
            });
        }

        await db.SaveChangesAsync(ct);
        return [.. tasks.Select(t => t.Id)];
    }

    private async Task SettingsAsync(Guid projectId, Action<Project> change, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        change(await db.Projects.SingleAsync(p => p.Id == projectId, ct));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Takes the next tasks of the person (check tasks, at a rate of 100 %) and submits each well or rushed.</summary>
    private async Task LabelGoldAsync(
        LabelingService labeling, Guid projectId, User user, Func<LabelingTask, AnnotationResult> careful, bool[] good, CancellationToken ct)
    {
        var person = Principal(user);
        foreach (var well in good)
        {
            // Work already waiting for the person (a held or sent-back task) comes first: it stays as it is for the demo.
            if (await labeling.NextAsync(person, projectId, ct) is not { } item || !await IsGoldAsync(item.TaskId, ct))
            {
                return;
            }

            var expected = careful(new LabelingTask { Text = item.Text, ContentHash = "" });
            await labeling.SubmitAsync(person, projectId, item.TaskId, well ? expected : Rushed(expected, item.Controls), item.Version, well ? 52_000 : 6_000, ct);
        }
    }

    private async Task<bool> IsGoldAsync(long taskId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Tasks.AnyAsync(t => t.Id == taskId && t.IsGold, ct);
    }

    /// <summary>Rushed work: the first span only, and the other answer to every question.</summary>
    private static AnnotationResult Rushed(AnnotationResult expected, IReadOnlyList<ControlView> controls) => new(
        [.. expected.Spans.Take(1)],
        [.. expected.Answers.Select(a => a with { Label = controls.Single(c => c.Name == a.Control).Labels.First(l => l.Key != a.Label).Key })]);

    private static PortalPrincipal Principal(User user) => new(user.Id, user.DisplayName, new HashSet<string> { AppRoles.User });
}
