using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.Property(u => u.ExternalId).HasMaxLength(256);
        b.Property(u => u.Email).HasMaxLength(320);
        b.Property(u => u.DisplayName).HasMaxLength(200);
        b.Property(u => u.DemoAppRoles).HasMaxLength(200);
        b.Property(u => u.Version).IsConcurrencyToken();
        b.HasIndex(u => u.ExternalId).IsUnique();
        b.HasIndex(u => u.Email);
    }
}

internal sealed class AuditLogEntryConfiguration : IEntityTypeConfiguration<AuditLogEntry>
{
    public void Configure(EntityTypeBuilder<AuditLogEntry> b)
    {
        b.ToTable("AuditLog");
        b.Property(e => e.UserName).HasMaxLength(200);
        b.Property(e => e.Action).HasMaxLength(100);
        b.Property(e => e.ObjectType).HasMaxLength(100);
        b.Property(e => e.ObjectId).HasMaxLength(100);
        b.Property(e => e.CorrelationId).HasMaxLength(100);
        b.Property(e => e.IpAddress).HasMaxLength(64);
        b.HasIndex(e => e.At);
        b.HasIndex(e => new { e.ProjectId, e.At });
        // The admin audit-log page filters by who and by action, newest first.
        b.HasIndex(e => new { e.UserId, e.At });
        b.HasIndex(e => new { e.Action, e.At });
    }
}
