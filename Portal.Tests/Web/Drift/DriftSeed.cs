using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Drift;

namespace Portal.Tests.Web.Drift;

/// <summary>A project with history written straight into the tables, for the drift checks to read.</summary>
internal sealed record DriftProject(Guid ProjectId, List<PortalPrincipal> People, Guid VersionId, List<long> Tasks, Dictionary<string, List<Guid>> Labels)
{
    public static readonly DateTime Now = new(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    public static async Task<DriftProject> CreateAsync(TestDatabase database, int tasks, int annotators)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks, overlap: 2, annotators);
        await using var db = await database.ContextAsync();
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId!.Value).SingleAsync();
        var controls = await db.TaxonomyControls.Where(c => c.TaxonomyVersionId == versionId).ToDictionaryAsync(c => c.Id, c => c.Name);
        var labels = (await db.Labels.Where(l => l.TaxonomyVersionId == versionId).OrderBy(l => l.SortOrder).ThenBy(l => l.Path).ToListAsync())
            .GroupBy(l => controls[l.ControlId]).ToDictionary(g => g.Key, g => g.Select(l => l.Key).ToList());
        var ids = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync();
        return new DriftProject(projectId, people, versionId, ids, labels);
    }

    public DriftCheckContext Context(DriftSettings? settings = null, DateTime? now = null) =>
        new(ProjectId, "2026-06-01", now ?? Now, settings ?? new DriftSettings { ProjectId = ProjectId }, null);

    /// <summary>Submitted first-round annotations, one per (task, annotator): a choice answer, or a span when the control is "entities".</summary>
    public async Task<List<long>> AddWorkAsync(TestDatabase database, Guid userId, IEnumerable<(long TaskId, DateTime At, string Control, Guid Label)> work)
    {
        await using var db = await database.ContextAsync();
        var added = new List<Annotation>();
        foreach (var (taskId, at, control, label) in work)
        {
            var annotation = new Annotation
            {
                ProjectId = ProjectId, TaskId = taskId, UserId = userId, TaxonomyVersionId = VersionId, LabeledUnderVersionId = VersionId,
                Status = AnnotationStatus.Submitted, CreatedAt = at.AddMinutes(-5), UpdatedAt = at, SubmittedAt = at,
            };
            if (control == "entities")
            {
                annotation.Spans.Add(new AnnotationSpan { ControlName = control, LabelKey = label, Start = 0, End = 5 });
            }
            else
            {
                annotation.Answers.Add(new AnnotationAnswer { ControlName = control, LabelKey = label });
            }

            added.Add(annotation);
        }

        db.Annotations.AddRange(added);
        await db.SaveChangesAsync();
        return [.. added.Select(a => a.Id)];
    }

    /// <summary>A check as the run gets it: one of the registered <see cref="IDriftCheck"/>s.</summary>
    public static T Check<T>(TestDatabase database)
        where T : IDriftCheck => database.Get<IEnumerable<IDriftCheck>>().OfType<T>().Single();

    /// <summary>The drafts as the run would store them: a rerun must give the same text.</summary>
    public static string Json(IReadOnlyList<DriftFindingDraft> drafts) =>
        JsonSerializer.Serialize(drafts.Select(d => new { d.Subject, d.Severity, d.Summary, d.Statistic, d.Threshold, d.PValue, Evidence = JsonSerializer.Serialize(d.Evidence, d.Evidence.GetType()), d.AffectedCount, d.Items }));
}
