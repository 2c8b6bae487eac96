using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Data;

public class PortalDbContextTests
{
    private static async Task<(Guid UserId, Guid ProjectId)> SeedProjectAsync(TestDatabase database)
    {
        await using var db = await database.ContextAsync();
        var user = new User { Id = Guid.NewGuid(), ExternalId = "x:1", Email = "a@b.c", DisplayName = "A", CreatedAt = DateTime.UtcNow };
        var project = new Project { Id = Guid.NewGuid(), Name = "P", CreatedAt = DateTime.UtcNow, CreatedById = user.Id };
        db.AddRange(user, project);
        await db.SaveChangesAsync();
        return (user.Id, project.Id);
    }

    private static async Task<(TaxonomyVersion Version, LabelingTask Task)> AddVersionAndTaskAsync(PortalDbContext db, Guid userId, Guid projectId)
    {
        var taxonomy = new Taxonomy { Id = Guid.NewGuid(), ProjectId = projectId };
        var version = new TaxonomyVersion { Id = Guid.NewGuid(), TaxonomyId = taxonomy.Id, Number = 1, PublishedAt = DateTime.UtcNow, PublishedById = userId };
        var task = new LabelingTask { ProjectId = projectId, Text = "t", ContentHash = "h", CreatedAt = DateTime.UtcNow };
        db.AddRange(taxonomy, version, task);
        await db.SaveChangesAsync();
        return (version, task);
    }

    [Fact]
    public async Task SaveChanges_StaleCopy_IsAConcurrencyConflict()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (_, projectId) = await SeedProjectAsync(database);

        await using var first = await database.ContextAsync();
        await using var second = await database.ContextAsync();
        var a = await first.Projects.SingleAsync(p => p.Id == projectId);
        var b = await second.Projects.SingleAsync(p => p.Id == projectId);

        a.Name = "First edit";
        await first.SaveChangesAsync();
        Assert.Equal(1, a.Version);

        b.Name = "Second edit from a stale copy";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        await using var check = await database.ContextAsync();
        Assert.Equal("First edit", (await check.Projects.SingleAsync(p => p.Id == projectId)).Name);
    }

    [Fact]
    public async Task SaveChanges_ChangingARevision_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (userId, projectId) = await SeedProjectAsync(database);
        await using var db = await database.ContextAsync();
        var (version, task) = await AddVersionAndTaskAsync(db, userId, projectId);
        var annotation = new Annotation
        {
            ProjectId = projectId, TaskId = task.Id, UserId = userId, TaxonomyVersionId = version.Id, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            Revisions = [new AnnotationRevision { Number = 1, ChangedAt = DateTime.UtcNow, ResultJson = "{}", TaxonomyVersionId = version.Id }],
        };
        db.Add(annotation);
        await db.SaveChangesAsync();

        annotation.Revisions[0].Note = "rewriting history";
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DateTimes_ComeBackAsUtc()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (userId, _) = await SeedProjectAsync(database);
        await using var db = await database.ContextAsync();
        var user = await db.Users.SingleAsync(u => u.Id == userId);
        Assert.Equal(DateTimeKind.Utc, user.CreatedAt.Kind);
    }

    [Fact]
    public async Task Annotation_SameUserTaskAndRound_IsUnique()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (userId, projectId) = await SeedProjectAsync(database);
        await using var db = await database.ContextAsync();
        var (version, task) = await AddVersionAndTaskAsync(db, userId, projectId);
        Annotation Make() => new() { ProjectId = projectId, TaskId = task.Id, UserId = userId, TaxonomyVersionId = version.Id, Status = AnnotationStatus.Draft };
        db.Add(Make());
        await db.SaveChangesAsync();
        db.Add(Make());
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}
