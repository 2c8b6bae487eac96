using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class LabelingTaskConfiguration : IEntityTypeConfiguration<LabelingTask>
{
    public void Configure(EntityTypeBuilder<LabelingTask> b)
    {
        // The task, queue and overlap counters' triggers (ProjectTaskCounter, ProjectQueueCounter, ProjectOverlapCounter): SQL
        // Server may then not use OUTPUT without INTO on this table.
        b.ToTable("Tasks", t =>
        {
            t.HasTrigger(TaskCounterTriggers.OnTasks);
            t.HasTrigger(QueueCounterTriggers.OnTasks);
            t.HasTrigger(OverviewCounterTriggers.OnTasks);
        });
        b.Property(t => t.ExternalId).HasMaxLength(256);
        b.Property(t => t.ContentHash).HasMaxLength(64).IsFixedLength(false);
        b.Property(t => t.Version).IsConcurrencyToken();
        b.HasOne<Project>().WithMany().HasForeignKey(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
        // Duplicate detection on import.
        b.HasIndex(t => new { t.ProjectId, t.ExternalId }).IsUnique().HasFilter("[ExternalId] IS NOT NULL");
        // No index on ContentHash: imports find duplicates in memory from one scan of the project, and random hash keys
        // made the index the slowest part of an import (docs/decisions/0009-import-pipeline.md).
        // Adjudication queue and the consensus sweep: tasks of a project by state.
        b.HasIndex(t => new { t.ProjectId, t.State, t.Id });
        // Next task: claimable tasks of a project by priority, then age; gold tasks separately for injection.
        b.HasIndex(t => new { t.ProjectId, t.IsAvailable, t.IsGold, t.Priority, t.Id }).IsDescending(false, false, false, true, false);
        // Task browser (docs/decisions/0016-task-browser.md): each filter or sort column after the project, then Id, so a
        // keyset page of (value, Id) is one index range; measured by the project-home benchmark.
        b.HasIndex(t => new { t.ProjectId, t.Agreement, t.Id });
        b.HasIndex(t => new { t.ProjectId, t.IsGold, t.Id });
        b.HasIndex(t => new { t.ProjectId, t.Priority, t.Id });
        b.HasIndex(t => new { t.ProjectId, t.CreatedAt, t.Id });
        // Imported batch filter, and publishing a staged import (ImportStaging reads a job's tasks by Id range).
        b.HasIndex(t => new { t.ImportJobId, t.Id });
        // The browser's default order (live tasks by id) and its "Deleted" filter.
        b.HasIndex(t => new { t.ProjectId, t.DeletedAt, t.Id });
    }
}

internal sealed class ReservationConfiguration : IEntityTypeConfiguration<Reservation>
{
    public void Configure(EntityTypeBuilder<Reservation> b)
    {
        b.HasIndex(r => new { r.TaskId, r.UserId }).IsUnique();
        b.HasIndex(r => new { r.ProjectId, r.UserId });
        b.HasIndex(r => r.ExpiresAt);
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnnotationConfiguration : IEntityTypeConfiguration<Annotation>
{
    public void Configure(EntityTypeBuilder<Annotation> b)
    {
        // The queue and day counters' triggers (ProjectQueueCounter, ProjectDayCounter).
        b.ToTable(t =>
        {
            t.HasTrigger(QueueCounterTriggers.OnAnnotations);
            t.HasTrigger(OverviewCounterTriggers.OnAnnotations);
        });
        b.Property(a => a.SkipReason).HasMaxLength(1000);
        b.Property(a => a.ReviewComment).HasMaxLength(4000);
        b.Property(a => a.Version).IsConcurrencyToken();
        b.HasIndex(a => new { a.TaskId, a.UserId, a.Round }).IsUnique();
        // My history and per-annotator views, newest first.
        b.HasIndex(a => new { a.ProjectId, a.UserId, a.UpdatedAt });
        b.HasIndex(a => new { a.ProjectId, a.Status, a.SubmittedAt });
        // The queue's first question on every Next: has a reviewer sent any of my work back? With only (project, user,
        // updated) SQLite walked all of a person's work, oldest first, for a status it rarely found: ~27,000 rows a call
        // at a million tasks (web benchmark).
        b.HasIndex(a => new { a.ProjectId, a.UserId, a.Status, a.UpdatedAt });
        // A blind retest picks a person's oldest submitted work not retested yet: in submit order, the search stops at the
        // first that is left, instead of sorting all of the person's work (~27,000 rows at a million tasks).
        b.HasIndex(a => new { a.ProjectId, a.UserId, a.SubmittedAt });
        // A person's work in task order (also the user foreign key's index): the dashboard's pair list joins two people's
        // tasks on it without reading their annotation rows first.
        b.HasIndex(a => new { a.UserId, a.TaskId });
        // Review queue: requested submissions of a project, oldest first.
        b.HasIndex(a => new { a.ProjectId, a.ReviewRequested, a.Status, a.SubmittedAt });
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(a => a.TaskId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<TaxonomyVersion>().WithMany().HasForeignKey(a => a.TaxonomyVersionId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(a => a.Spans).WithOne().HasForeignKey(s => s.AnnotationId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(a => a.Answers).WithOne().HasForeignKey(s => s.AnnotationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AnnotationSpanConfiguration : IEntityTypeConfiguration<AnnotationSpan>
{
    public void Configure(EntityTypeBuilder<AnnotationSpan> b)
    {
        b.Property(s => s.ControlName).HasMaxLength(100);
        // With the label, so the task browser's "label present" probe reads the index only.
        b.HasIndex(s => new { s.AnnotationId, s.LabelKey });
        // Taxonomy impact preview: how many spans use a label.
        b.HasIndex(s => s.LabelKey);
    }
}

internal sealed class AnnotationAnswerConfiguration : IEntityTypeConfiguration<AnnotationAnswer>
{
    public void Configure(EntityTypeBuilder<AnnotationAnswer> b)
    {
        b.Property(s => s.ControlName).HasMaxLength(100);
        // With the label, so the task browser's "label present" probe reads the index only.
        b.HasIndex(s => new { s.AnnotationId, s.LabelKey });
        b.HasIndex(s => s.LabelKey);
    }
}

internal sealed class AnnotationRevisionConfiguration : IEntityTypeConfiguration<AnnotationRevision>
{
    public void Configure(EntityTypeBuilder<AnnotationRevision> b)
    {
        b.Property(r => r.Note).HasMaxLength(4000);
        b.HasIndex(r => new { r.AnnotationId, r.Number }).IsUnique();
        b.HasOne(r => r.Annotation).WithMany(a => a.Revisions).HasForeignKey(r => r.AnnotationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PredictionConfiguration : IEntityTypeConfiguration<Prediction>
{
    public void Configure(EntityTypeBuilder<Prediction> b)
    {
        b.Property(p => p.ModelVersion).HasMaxLength(200);
        b.HasIndex(p => p.TaskId);
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(p => p.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RelabelItemConfiguration : IEntityTypeConfiguration<RelabelItem>
{
    public void Configure(EntityTypeBuilder<RelabelItem> b)
    {
        b.Property(r => r.Reason).HasMaxLength(200);
        b.Property(r => r.Context).HasMaxLength(4000);
        b.HasIndex(r => new { r.ProjectId, r.ResolvedAt, r.Id });
        // The queue serves a person's open relabel tasks first.
        b.HasIndex(r => new { r.AssignedToUserId, r.ResolvedAt, r.Id });
        b.HasIndex(r => r.DriftFindingId);
        // Every submit resolves the annotation's open relabel tasks, and drift policy checks for one before making another.
        b.HasIndex(r => new { r.AnnotationId, r.ResolvedAt });
        b.HasIndex(r => r.TaskId);
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}
