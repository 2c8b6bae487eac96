using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class ReportScheduleConfiguration : IEntityTypeConfiguration<ReportSchedule>
{
    public void Configure(EntityTypeBuilder<ReportSchedule> b)
    {
        b.Property(s => s.Parts).HasMaxLength(100);
        b.Property(s => s.OwnerAppRoles).HasMaxLength(200);
        b.Property(s => s.Version).IsConcurrencyToken();
        // The Reports page lists a project's schedules.
        b.HasIndex(s => s.ProjectId);
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportScheduleSlotConfiguration : IEntityTypeConfiguration<ReportScheduleSlot>
{
    public void Configure(EntityTypeBuilder<ReportScheduleSlot> b)
    {
        // Once per slot: the second server (or the same one after a restart) fails this insert and leaves the slot alone.
        b.HasIndex(s => new { s.ScheduleId, s.SlotAt }).IsUnique();
        // The mail pass looks for reports not yet mailed.
        b.HasIndex(s => s.MailedAt);
        b.HasOne<ReportSchedule>().WithMany().HasForeignKey(s => s.ScheduleId).OnDelete(DeleteBehavior.Cascade);
    }
}
