using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> b)
    {
        b.Property(r => r.Comment).HasMaxLength(4000);
        b.HasIndex(r => r.AnnotationId);
        b.HasIndex(r => new { r.ReviewerId, r.CreatedAt });
        b.HasOne<Annotation>().WithMany().HasForeignKey(r => r.AnnotationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GroundTruthConfiguration : IEntityTypeConfiguration<GroundTruth>
{
    public void Configure(EntityTypeBuilder<GroundTruth> b)
    {
        b.Property(g => g.Rule).HasMaxLength(400);
        b.Property(g => g.Note).HasMaxLength(4000);
        b.Property(g => g.Version).IsConcurrencyToken();
        b.HasIndex(g => g.TaskId).IsUnique();
        b.HasIndex(g => g.ProjectId);
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(g => g.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GoldAnswerConfiguration : IEntityTypeConfiguration<GoldAnswer>
{
    public void Configure(EntityTypeBuilder<GoldAnswer> b)
    {
        // One gold answer per task: scoring on submit looks it up by task.
        b.HasIndex(g => g.TaskId).IsUnique();
        b.HasIndex(g => g.ProjectId);
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(g => g.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GoldScoreConfiguration : IEntityTypeConfiguration<GoldScoreEntry>
{
    public void Configure(EntityTypeBuilder<GoldScoreEntry> b)
    {
        b.ToTable("GoldScores");
        // A resubmission replaces the score of its annotation.
        b.HasIndex(g => g.AnnotationId).IsUnique();
        // An annotator's rolling gold score: their latest scores in the project.
        b.HasIndex(g => new { g.ProjectId, g.UserId, g.ScoredAt });
        b.HasOne<Annotation>().WithMany().HasForeignKey(g => g.AnnotationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TaskEventConfiguration : IEntityTypeConfiguration<TaskEvent>
{
    public void Configure(EntityTypeBuilder<TaskEvent> b)
    {
        b.Property(e => e.Detail).HasMaxLength(1000);
        b.HasIndex(e => new { e.TaskId, e.At });
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(e => e.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AgreementSnapshotConfiguration : IEntityTypeConfiguration<AgreementSnapshot>
{
    public void Configure(EntityTypeBuilder<AgreementSnapshot> b)
    {
        b.Property(s => s.Measure).HasMaxLength(100);
        b.Property(s => s.Key).HasMaxLength(300);
        // A nightly rerun replaces, never duplicates.
        b.HasIndex(s => new { s.ProjectId, s.Day, s.Measure, s.Key }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PairScoreSetConfiguration : IEntityTypeConfiguration<PairScoreSet>
{
    public void Configure(EntityTypeBuilder<PairScoreSet> b)
    {
        // One set per pair: a nightly run replaces it.
        b.HasIndex(s => new { s.ProjectId, s.UserA, s.UserB }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PairTaskScoreConfiguration : IEntityTypeConfiguration<PairTaskScore>
{
    public void Configure(EntityTypeBuilder<PairTaskScore> b)
    {
        b.HasKey(s => new { s.SetId, s.TaskId });
        // The pair list's page: worst first, by key.
        b.HasIndex(s => new { s.SetId, s.Score, s.TaskId });
        b.HasOne<PairScoreSet>().WithMany().HasForeignKey(s => s.SetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditRunConfiguration : IEntityTypeConfiguration<AuditRun>
{
    public void Configure(EntityTypeBuilder<AuditRun> b)
    {
        b.Property(r => r.RunKey).HasMaxLength(100);
        b.Property(r => r.Message).HasMaxLength(4000);
        b.HasIndex(r => new { r.ProjectId, r.RunKey }).IsUnique();
        b.HasIndex(r => new { r.ProjectId, r.WindowEnd });
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditSampleConfiguration : IEntityTypeConfiguration<AuditSample>
{
    public void Configure(EntityTypeBuilder<AuditSample> b)
    {
        b.Property(s => s.Stratum).HasMaxLength(300);
        b.Property(s => s.Note).HasMaxLength(4000);
        b.HasIndex(s => new { s.AuditRunId, s.AnnotationId }).IsUnique();
        // The audit queue: the oldest waiting item of a project.
        b.HasIndex(s => new { s.ProjectId, s.Outcome, s.Id });
        // Results and scorecards per annotator.
        b.HasIndex(s => new { s.ProjectId, s.AnnotatorId, s.ReviewedAt });
        b.HasIndex(s => s.AnnotationId);
        b.HasOne<AuditRun>().WithMany().HasForeignKey(s => s.AuditRunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Annotation>().WithMany().HasForeignKey(s => s.AnnotationId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(s => s.Errors).WithOne().HasForeignKey(e => e.AuditSampleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditSampleErrorConfiguration : IEntityTypeConfiguration<AuditSampleError>
{
    public void Configure(EntityTypeBuilder<AuditSampleError> b)
    {
        b.Property(e => e.ControlName).HasMaxLength(200);
        b.Property(e => e.Note).HasMaxLength(4000);
        // "What the guidelines don't answer": guideline-gap notes per label.
        b.HasIndex(e => new { e.ProjectId, e.ErrorType, e.LabelKey });
    }
}

internal sealed class DataJobConfiguration : IEntityTypeConfiguration<DataJob>
{
    public void Configure(EntityTypeBuilder<DataJob> b)
    {
        b.ToTable(t =>
        {
            t.HasTrigger(TaskCounterTriggers.OnDataJobs);
            t.HasTrigger(QueueCounterTriggers.OnDataJobs);
            t.HasTrigger(OverviewCounterTriggers.OnDataJobs);
        });
        b.Property(j => j.Format).HasMaxLength(50);
        b.Property(j => j.SourceName).HasMaxLength(1000);
        b.Property(j => j.IdempotencyKey).HasMaxLength(200);
        b.Property(j => j.ResultPath).HasMaxLength(1000);
        b.Property(j => j.HangfireJobId).HasMaxLength(100);
        b.Property(j => j.Owner).HasMaxLength(200);
        b.Property(j => j.Message).HasMaxLength(4000);
        b.HasIndex(j => j.State);
        b.Property(j => j.Version).IsConcurrencyToken();
        b.HasIndex(j => j.IdempotencyKey).IsUnique();
        b.HasIndex(j => new { j.ProjectId, j.CreatedAt });
        b.HasOne<Project>().WithMany().HasForeignKey(j => j.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
