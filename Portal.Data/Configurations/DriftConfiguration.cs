using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class DriftRunConfiguration : IEntityTypeConfiguration<DriftRun>
{
    public void Configure(EntityTypeBuilder<DriftRun> b)
    {
        b.Property(r => r.RunKey).HasMaxLength(100);
        b.Property(r => r.CompletedChecks).HasMaxLength(100);
        b.Property(r => r.Message).HasMaxLength(4000);
        b.HasIndex(r => new { r.ProjectId, r.RunKey }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DriftFindingConfiguration : IEntityTypeConfiguration<DriftFinding>
{
    public void Configure(EntityTypeBuilder<DriftFinding> b)
    {
        b.Property(f => f.RunKey).HasMaxLength(100);
        b.Property(f => f.LastRunKey).HasMaxLength(100);
        b.Property(f => f.Subject).HasMaxLength(300);
        b.Property(f => f.Summary).HasMaxLength(1000);
        b.Property(f => f.DismissReason).HasMaxLength(2000);
        b.Property(f => f.Version).IsConcurrencyToken();
        b.HasIndex(f => new { f.ProjectId, f.RunKey, f.Kind, f.Subject }).IsUnique();
        // The open finding of a (kind, subject), found again on a later night, is updated, not repeated.
        b.HasIndex(f => new { f.ProjectId, f.Kind, f.Subject, f.State });
        b.HasIndex(f => new { f.ProjectId, f.State, f.Severity });
        b.HasOne<Project>().WithMany().HasForeignKey(f => f.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DriftFindingItemConfiguration : IEntityTypeConfiguration<DriftFindingItem>
{
    public void Configure(EntityTypeBuilder<DriftFindingItem> b)
    {
        b.Property(i => i.Detail).HasMaxLength(1000);
        b.HasIndex(i => new { i.DriftFindingId, i.Id });
        b.HasIndex(i => i.RelabelItemId);
        b.HasOne<DriftFinding>().WithMany().HasForeignKey(i => i.DriftFindingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DriftSettingsConfiguration : IEntityTypeConfiguration<DriftSettings>
{
    public void Configure(EntityTypeBuilder<DriftSettings> b)
    {
        b.HasKey(s => s.ProjectId);
        b.Property(s => s.Version).IsConcurrencyToken();
        b.HasOne<Project>().WithOne().HasForeignKey<DriftSettings>(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LabelDefinitionVersionConfiguration : IEntityTypeConfiguration<LabelDefinitionVersion>
{
    public void Configure(EntityTypeBuilder<LabelDefinitionVersion> b)
    {
        b.Property(d => d.Description).HasMaxLength(4000);
        b.Property(d => d.Examples).HasMaxLength(4000);
        b.Property(d => d.CounterExamples).HasMaxLength(4000);
        b.HasIndex(d => new { d.ProjectId, d.LabelKey, d.Number }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RetestConfiguration : IEntityTypeConfiguration<Retest>
{
    public void Configure(EntityTypeBuilder<Retest> b)
    {
        b.Property(r => r.Version).IsConcurrencyToken();
        // One retest per original annotation, ever.
        b.HasIndex(r => r.OriginalAnnotationId).IsUnique();
        b.HasIndex(r => new { r.ProjectId, r.UserId, r.SubmittedAt });
        b.HasIndex(r => new { r.TaskId, r.UserId });
        b.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<LabelingTask>().WithMany().HasForeignKey(r => r.TaskId).OnDelete(DeleteBehavior.NoAction);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.Property(n => n.Key).HasMaxLength(200);
        b.Property(n => n.Title).HasMaxLength(300);
        b.Property(n => n.Body).HasMaxLength(4000);
        b.Property(n => n.Link).HasMaxLength(1000);
        b.HasIndex(n => new { n.UserId, n.Key }).IsUnique();
        b.HasIndex(n => new { n.UserId, n.ReadAt, n.CreatedAt });
        b.HasIndex(n => new { n.EmailedAt, n.UserId });
        b.HasOne<User>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
