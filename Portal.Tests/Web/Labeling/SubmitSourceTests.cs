using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Labeling;

/// <summary>A submit records where its answers came from, so audits can stratify by it.</summary>
public class SubmitSourceTests
{
    [Fact]
    public async Task Submit_KeepingAPredictedSpanAsSuggested_IsAnAcceptedSuggestion_OtherwiseHuman()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 2, overlap: 1, annotators: 1);
        var labeling = database.Get<LabelingService>();
        var first = (await labeling.NextAsync(people[0], projectId, default))!;
        var person = first.Controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;
        await using (var db = await database.ContextAsync())
        {
            foreach (var taskId in await db.Tasks.Select(t => t.Id).ToListAsync())
            {
                db.Predictions.Add(new Prediction
                {
                    TaskId = taskId, ModelVersion = "ner-1", CreatedAt = DateTime.UtcNow,
                    ResultJson = new AnnotationResult([new SpanValue("entities", person, 24, 38)], []).ToJson(),
                });
            }

            await db.SaveChangesAsync();
        }

        await labeling.SubmitAsync(people[0], projectId, first.TaskId, LabelingServiceTests.Answered(first, (24, 38)), first.Version, 1000, default);
        var second = (await labeling.NextAsync(people[0], projectId, default))!;
        // One character shorter than suggested: the person drew it themselves.
        await labeling.SubmitAsync(people[0], projectId, second.TaskId, LabelingServiceTests.Answered(second, (24, 37)), second.Version, 1000, default);

        await using var check = await database.ContextAsync();
        var sources = await check.Annotations.OrderBy(a => a.Id).Select(a => a.Source).ToListAsync();
        Assert.Equal([AnnotationSource.AcceptedSuggestion, AnnotationSource.Human], sources);
    }
}
