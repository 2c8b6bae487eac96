using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Data.Entities;

namespace Portal.Data;

/// <summary>
/// The portal's model, provider neutral. Each provider has a subclass that owns its migration set
/// (<see cref="SqlitePortalDbContext"/>, <see cref="SqlServerPortalDbContext"/>); services only see this type.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();
    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<GuidelineVersion> GuidelineVersions => Set<GuidelineVersion>();
    public DbSet<Taxonomy> Taxonomies => Set<Taxonomy>();
    public DbSet<TaxonomyVersion> TaxonomyVersions => Set<TaxonomyVersion>();
    public DbSet<TaxonomyControl> TaxonomyControls => Set<TaxonomyControl>();
    public DbSet<Label> Labels => Set<Label>();
    public DbSet<LabelMigration> LabelMigrations => Set<LabelMigration>();
    public DbSet<LabelingTask> Tasks => Set<LabelingTask>();
    public DbSet<Reservation> Reservations => Set<Reservation>();
    public DbSet<Annotation> Annotations => Set<Annotation>();
    public DbSet<AnnotationSpan> AnnotationSpans => Set<AnnotationSpan>();
    public DbSet<AnnotationAnswer> AnnotationAnswers => Set<AnnotationAnswer>();
    public DbSet<AnnotationRevision> AnnotationRevisions => Set<AnnotationRevision>();
    public DbSet<Prediction> Predictions => Set<Prediction>();
    public DbSet<RelabelItem> RelabelItems => Set<RelabelItem>();
    public DbSet<Review> Reviews => Set<Review>();
    public DbSet<GroundTruth> GroundTruths => Set<GroundTruth>();
    public DbSet<GoldAnswer> GoldAnswers => Set<GoldAnswer>();
    public DbSet<GoldScoreEntry> GoldScores => Set<GoldScoreEntry>();
    public DbSet<TaskEvent> TaskEvents => Set<TaskEvent>();
    public DbSet<AgreementSnapshot> AgreementSnapshots => Set<AgreementSnapshot>();
    public DbSet<PairScoreSet> PairScoreSets => Set<PairScoreSet>();
    public DbSet<PairTaskScore> PairTaskScores => Set<PairTaskScore>();
    public DbSet<AuditRun> AuditRuns => Set<AuditRun>();
    public DbSet<AuditSample> AuditSamples => Set<AuditSample>();
    public DbSet<AuditSampleError> AuditSampleErrors => Set<AuditSampleError>();
    public DbSet<DriftRun> DriftRuns => Set<DriftRun>();
    public DbSet<DriftFinding> DriftFindings => Set<DriftFinding>();
    public DbSet<DriftFindingItem> DriftFindingItems => Set<DriftFindingItem>();
    public DbSet<DriftSettings> DriftSettings => Set<DriftSettings>();
    public DbSet<LabelDefinitionVersion> LabelDefinitionVersions => Set<LabelDefinitionVersion>();
    public DbSet<Retest> Retests => Set<Retest>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<DataJob> DataJobs => Set<DataJob>();
    public DbSet<ProjectTaskCounter> ProjectTaskCounters => Set<ProjectTaskCounter>();
    public DbSet<ProjectQueueCounter> ProjectQueueCounters => Set<ProjectQueueCounter>();
    public DbSet<ProjectOverlapCounter> ProjectOverlapCounters => Set<ProjectOverlapCounter>();
    public DbSet<ProjectDayCounter> ProjectDayCounters => Set<ProjectDayCounter>();
    public DbSet<ProjectUserQueueCounter> ProjectUserQueueCounters => Set<ProjectUserQueueCounter>();
    public DbSet<ReportSchedule> ReportSchedules => Set<ReportSchedule>();
    public DbSet<ReportScheduleSlot> ReportScheduleSlots => Set<ReportScheduleSlot>();
    public DbSet<DataProtectionKey> DataProtectionKeys { get; set; } = null!;

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // All times are UTC; SQLite forgets DateTime.Kind, so it is restored on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        PrepareSave();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        PrepareSave();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void PrepareSave()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted &&
                entry.Entity is AnnotationRevision or TaskEvent or TaxonomyVersion or Label or LabelMigration or AuditLogEntry or LabelDefinitionVersion)
            {
                throw new InvalidOperationException(
                    $"{entry.Entity.GetType().Name} is append-only: it can be added, never changed or deleted.");
            }

            if (entry.State == EntityState.Modified && entry.Entity is IVersioned versioned)
            {
                // The original value stays the concurrency check; the new value is what a later writer must hold.
                entry.Property(nameof(IVersioned.Version)).OriginalValue = versioned.Version;
                versioned.Version++;
            }
        }
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options);

public sealed class SqlServerPortalDbContext(DbContextOptions<SqlServerPortalDbContext> options) : PortalDbContext(options);
