using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

internal sealed class TaxonomyConfiguration : IEntityTypeConfiguration<Taxonomy>
{
    public void Configure(EntityTypeBuilder<Taxonomy> b)
    {
        b.Property(t => t.Version).IsConcurrencyToken();
        b.HasIndex(t => t.ProjectId).IsUnique();
        b.HasMany(t => t.Versions).WithOne().HasForeignKey(v => v.TaxonomyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TaxonomyVersionConfiguration : IEntityTypeConfiguration<TaxonomyVersion>
{
    public void Configure(EntityTypeBuilder<TaxonomyVersion> b)
    {
        b.Property(v => v.Notes).HasMaxLength(4000);
        b.HasIndex(v => new { v.TaxonomyId, v.Number }).IsUnique();
        b.HasMany(v => v.Controls).WithOne().HasForeignKey(c => c.TaxonomyVersionId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(v => v.Labels).WithOne().HasForeignKey(l => l.TaxonomyVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TaxonomyControlConfiguration : IEntityTypeConfiguration<TaxonomyControl>
{
    public void Configure(EntityTypeBuilder<TaxonomyControl> b)
    {
        b.Property(c => c.Name).HasMaxLength(100);
        b.Property(c => c.Prompt).HasMaxLength(500);
        b.HasIndex(c => new { c.TaxonomyVersionId, c.Name }).IsUnique();
    }
}

internal sealed class LabelConfiguration : IEntityTypeConfiguration<Label>
{
    public void Configure(EntityTypeBuilder<Label> b)
    {
        b.Property(l => l.Name).HasMaxLength(200);
        b.Property(l => l.Path).HasMaxLength(1000);
        b.Property(l => l.Color).HasMaxLength(16);
        b.Property(l => l.Hotkey).HasMaxLength(16);
        b.HasIndex(l => new { l.TaxonomyVersionId, l.Key }).IsUnique();
        b.HasIndex(l => new { l.ControlId, l.Path }).IsUnique();
        // Restrict, not cascade: SQL Server refuses two cascade paths from a version to a label.
        b.HasOne<TaxonomyControl>().WithMany().HasForeignKey(l => l.ControlId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class LabelMigrationConfiguration : IEntityTypeConfiguration<LabelMigration>
{
    public void Configure(EntityTypeBuilder<LabelMigration> b)
    {
        b.HasIndex(m => new { m.FromVersionId, m.FromLabelKey });
        b.HasOne<TaxonomyVersion>().WithMany().HasForeignKey(m => m.FromVersionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<TaxonomyVersion>().WithMany().HasForeignKey(m => m.ToVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}
