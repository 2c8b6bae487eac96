using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Drift;
using Portal.Web.Labeling;
using static Portal.Tests.Web.Labeling.LabelingServiceTests;
using static Portal.Tests.Web.Taxonomy.LabelDefinitionServiceTests;

namespace Portal.Tests.Web.Drift;

/// <summary>A project whose annotators each submitted one task on a fake clock, and the context a night's check gets.</summary>
internal sealed record LabeledProject(TestDatabase Database, FakeTimeProvider Clock, Guid ProjectId, List<PortalPrincipal> People, List<WorkItem> Items)
    : IAsyncDisposable
{
    public static readonly DateTime Start = new(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>Each of <paramref name="annotators"/> submits one task (a Person span and both answers); <paramref name="tasks"/> may leave some unlabeled.</summary>
    public static async Task<LabeledProject> CreateAsync(int annotators = 3, int tasks = 3)
    {
        var clock = new FakeTimeProvider(Start);
        var database = await TestDatabase.CreateAsync(clock: clock);
        var (projectId, people) = await ProjectWithManagerAsync(database, tasks, annotators);
        var labeling = database.Get<LabelingService>();
        var items = new List<WorkItem>();
        foreach (var person in people)
        {
            var item = (await labeling.NextAsync(person, projectId, default))!;
            await labeling.SubmitAsync(person, projectId, item.TaskId, Answered(item, (12, 27)), item.Version, 1000, default);
            items.Add(item);
        }

        return new LabeledProject(database, clock, projectId, people, items);
    }

    public DriftCheckContext Night(DateTime now, int? relabelAgeDays = null) =>
        new(ProjectId, now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), now, new DriftSettings { ProjectId = ProjectId }, relabelAgeDays);

    public T Check<T>()
        where T : IDriftCheck => Database.Get<IEnumerable<IDriftCheck>>().OfType<T>().Single();

    /// <summary>Findings as the run would store them, to compare two runs of a night.</summary>
    public static string Stored(IReadOnlyList<DriftFindingDraft> findings) =>
        JsonSerializer.Serialize(findings.Select(f => new { f.Subject, f.Severity, f.Summary, f.Statistic, f.AffectedCount, Evidence = JsonSerializer.Serialize(f.Evidence, f.Evidence.GetType()), f.Items }));

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
