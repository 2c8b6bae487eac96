using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Admin;

namespace Portal.Tests.Web.Admin;

/// <summary>The admin's audit log over a real SQLite database: filters, keyset paging newest first, admins only.</summary>
public sealed class AuditLogServiceTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly PortalPrincipal Admin = new(Guid.NewGuid(), "Alice Admin", new HashSet<string> { AppRoles.Admin });
    private static readonly Guid Mia = Guid.NewGuid();
    private static readonly Guid Ana = Guid.NewGuid();

    private TestDatabase database = default!;
    private Guid projectId;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        await using var db = await database.ContextAsync();
        db.Users.AddRange(
            new User { Id = Mia, ExternalId = "mia", Email = "mia@x", DisplayName = "Mia Manager", CreatedAt = Start },
            new User { Id = Ana, ExternalId = "ana", Email = "ana@x", DisplayName = "Ana Annotator", CreatedAt = Start });
        var project = new Project { Id = Guid.NewGuid(), Name = "Support tickets", CreatedAt = Start, CreatedById = Mia };
        projectId = project.Id;
        db.Projects.Add(project);
        // Ten days, three entries a day; two entries share one instant so paging must order by id as well.
        for (var day = 0; day < 10; day++)
        {
            var at = Start.AddDays(day);
            db.AuditLog.Add(Entry(at, Mia, "Mia Manager", "task.gold", "task", (100 + day).ToString(System.Globalization.CultureInfo.InvariantCulture), projectId, $"marked task {100 + day}"));
            db.AuditLog.Add(Entry(at, Ana, "Ana Annotator", "relabel.done", "annotation", day.ToString(System.Globalization.CultureInfo.InvariantCulture), projectId, "changed: yes"));
            db.AuditLog.Add(Entry(at.AddHours(1), Mia, "Mia Manager", "project.review-settings", "Project", projectId.ToString(), projectId, "policy: all"));
        }

        db.AuditLog.Add(Entry(Start.AddDays(3), null, "system", "user.signin", "user", Ana.ToString(), null, "from the identity provider"));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Pages_WalkTheWholeLogNewestFirst_WithoutGapsOrRepeats()
    {
        var service = database.Get<AuditLogService>();
        var seen = new List<AuditLogRow>();
        AuditLogCursor? cursor = null;
        var pages = 0;
        do
        {
            var results = await service.SearchAsync(Admin, new AuditLogFilter(), cursor, 7, default);
            seen.AddRange(results.Rows);
            cursor = results.Next;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(31, seen.Count);
        Assert.Equal(5, pages);
        Assert.Equal(seen.Count, seen.Select(r => r.Id).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).Select(r => r.Id), seen.Select(r => r.Id));
        Assert.Equal("Support tickets", seen[0].ProjectName);
    }

    [Fact]
    public async Task Filters_Combine_ByUserActionPrefixProjectObjectDatesAndDetails()
    {
        var service = database.Get<AuditLogService>();
        async Task<IReadOnlyList<AuditLogRow>> Find(AuditLogFilter filter) => (await service.SearchAsync(Admin, filter, null, 100, default)).Rows;

        Assert.Equal(20, (await Find(new(UserId: Mia))).Count);
        Assert.All(await Find(new(ActionPrefix: "task.")), r => Assert.Equal("task.gold", r.Action));
        Assert.Equal(10, (await Find(new(ActionPrefix: " project. "))).Count);
        Assert.Equal(30, (await Find(new(ProjectId: projectId))).Count);
        // "Project" and "project" are the same kind of object.
        Assert.Equal(10, (await Find(new(ObjectType: "project"))).Count);
        var task = Assert.Single(await Find(new(ObjectType: "task", ObjectId: "104")));
        Assert.Equal($"/projects/{projectId}/tasks/104", task.Link);
        // An annotation has no page of its own: no link that would land somewhere else.
        Assert.All(await Find(new(ObjectType: "annotation")), r => Assert.Null(r.Link));
        var days = await Find(new(From: DateOnly.FromDateTime(Start.AddDays(2)), To: DateOnly.FromDateTime(Start.AddDays(3))));
        Assert.Equal(7, days.Count);
        Assert.All(days, r => Assert.InRange(r.At, Start.AddDays(2), Start.AddDays(4)));
        Assert.Equal("user.signin", Assert.Single(await Find(new(Text: "identity provider"))).Action);
        Assert.Single(await Find(new(UserId: Mia, ActionPrefix: "task.", Text: "task 107")));
        Assert.Empty(await Find(new(UserId: Ana, ActionPrefix: "task.")));
    }

    [Fact]
    public async Task NonAdmin_IsRefused_EvenAGlobalManager()
    {
        var manager = new PortalPrincipal(Guid.NewGuid(), "Mia Manager", new HashSet<string> { AppRoles.Manager });
        var service = database.Get<AuditLogService>();

        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => service.SearchAsync(manager, new AuditLogFilter(), null, 50, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.ChoicesAsync(manager, default));

        Assert.Contains("Admin role", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADateRangeBackwards_SaysWhichFieldIsWrong()
    {
        var filter = new AuditLogFilter(From: new DateOnly(2026, 11, 5), To: new DateOnly(2026, 11, 2));

        var error = await Assert.ThrowsAsync<ValidationException>(() => database.Get<AuditLogService>().SearchAsync(Admin, filter, null, 50, default));

        Assert.Equal(nameof(AuditLogFilter.To), Assert.Single(error.Errors).Field);
    }

    [Fact]
    public async Task Choices_ListTheProjectsToFilterBy()
    {
        var (_, projects) = await database.Get<AuditLogService>().ChoicesAsync(Admin, default);

        Assert.Equal("Support tickets", Assert.Single(projects).Name);
    }

    private static AuditLogEntry Entry(DateTime at, Guid? userId, string userName, string action, string type, string id, Guid? project, string details) => new()
    {
        At = at, UserId = userId, UserName = userName, Action = action, ObjectType = type, ObjectId = id, ProjectId = project, Details = details,
    };
}
