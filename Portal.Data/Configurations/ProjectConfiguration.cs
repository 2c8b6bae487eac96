using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.Description).HasMaxLength(4000);
        b.Property(p => p.Version).IsConcurrencyToken();
        b.Ignore(p => p.Settings);
        b.HasIndex(p => p.Name);
        b.HasOne<User>().WithMany().HasForeignKey(p => p.CreatedById).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(p => p.Taxonomy).WithOne().HasForeignKey<Taxonomy>(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectMemberConfiguration : IEntityTypeConfiguration<ProjectMember>
{
    public void Configure(EntityTypeBuilder<ProjectMember> b)
    {
        b.HasKey(m => new { m.ProjectId, m.UserId });
        b.Property(m => m.HoldReason).HasMaxLength(1000);
        b.HasIndex(m => m.UserId);
        b.HasOne(m => m.Project).WithMany(p => p.Members).HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(m => m.User).WithMany(u => u.Memberships).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GuidelineVersionConfiguration : IEntityTypeConfiguration<GuidelineVersion>
{
    public void Configure(EntityTypeBuilder<GuidelineVersion> b)
    {
        b.HasIndex(g => new { g.ProjectId, g.Number }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectTaskCounterConfiguration : IEntityTypeConfiguration<ProjectTaskCounter>
{
    public void Configure(EntityTypeBuilder<ProjectTaskCounter> b)
    {
        b.HasKey(c => c.ProjectId);
        b.HasOne<Project>().WithOne().HasForeignKey<ProjectTaskCounter>(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectOverlapCounterConfiguration : IEntityTypeConfiguration<ProjectOverlapCounter>
{
    public void Configure(EntityTypeBuilder<ProjectOverlapCounter> b)
    {
        // The key is the read: a project's buckets, in order of answers.
        b.HasKey(c => new { c.ProjectId, c.Submitted });
        b.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectDayCounterConfiguration : IEntityTypeConfiguration<ProjectDayCounter>
{
    public void Configure(EntityTypeBuilder<ProjectDayCounter> b)
    {
        // The key is the read: a project's days from the start of the throughput window.
        b.HasKey(c => new { c.ProjectId, c.Day });
        b.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectQueueCounterConfiguration : IEntityTypeConfiguration<ProjectQueueCounter>
{
    public void Configure(EntityTypeBuilder<ProjectQueueCounter> b)
    {
        b.HasKey(c => c.ProjectId);
        b.HasOne<Project>().WithOne().HasForeignKey<ProjectQueueCounter>(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProjectUserQueueCounterConfiguration : IEntityTypeConfiguration<ProjectUserQueueCounter>
{
    public void Configure(EntityTypeBuilder<ProjectUserQueueCounter> b)
    {
        // The key is the read: one person's share in the projects a page shows. No foreign key to the user: people
        // with annotations are never deleted, and a second cascade path would have SQL Server refuse the table.
        b.HasKey(c => new { c.ProjectId, c.UserId });
        b.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
