using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Tests.Web.Audits;

/// <summary>Audit runs as the nightly job leaves them (the job is not what these tests are about): samples waiting for a verdict.</summary>
internal static class AuditQueueTestData
{
    /// <summary>
    /// A succeeded run sampling the given annotations, oldest sample first in the given order; returns the sample ids.
    /// </summary>
    public static async Task<List<long>> SampleAsync(PortalDbContext db, Guid projectId, IReadOnlyList<long> annotationIds, string? runKey = null)
    {
        var now = DateTime.UtcNow;
        var run = new AuditRun
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, RunKey = runKey ?? $"test-{Guid.NewGuid():N}", Trigger = AuditTrigger.Nightly, State = RunState.Succeeded,
            Sizing = AuditSizing.Percent, Percent = 10, Confidence = 0.95, MarginOfError = 0.05, MinPerStratum = 1,
            WindowStart = now.AddDays(-1), WindowEnd = now, Population = annotationIds.Count, SampleSize = annotationIds.Count, CreatedAt = now, CompletedAt = now,
        };
        db.AuditRuns.Add(run);
        var annotations = await db.Annotations.AsNoTracking().Include(a => a.Spans).Where(a => annotationIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id);
        var samples = annotationIds.Select(id => annotations[id]).Select(a => new AuditSample
        {
            AuditRunId = run.Id, ProjectId = projectId, AnnotationId = a.Id, TaskId = a.TaskId, AnnotatorId = a.UserId,
            LabelKey = a.Spans.Select(s => (Guid?)s.LabelKey).FirstOrDefault(), Source = a.Source,
            Stratum = $"{a.UserId}|{a.Spans.Select(s => s.LabelKey.ToString()).FirstOrDefault() ?? "-"}|{a.Source}", AnnotationVersion = a.Version,
        }).ToList();
        db.AuditSamples.AddRange(samples);
        await db.SaveChangesAsync();
        return [.. samples.Select(s => s.Id)];
    }

    /// <summary>Submitted or reviewed work in the project, not by <paramref name="except"/>, oldest first.</summary>
    public static Task<List<long>> SubmittedAsync(PortalDbContext db, Guid projectId, int count, Guid? except = null) =>
        db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted) && a.UserId != except)
            .OrderBy(a => a.Id).Select(a => a.Id).Take(count).ToListAsync();
}
