using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Projects;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Projects;

/// <summary>The settings page's service on a real SQLite database: validation as at creation, versions, audit, open tasks re-targeted.</summary>
public class ProjectSettingsServiceTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    [Fact]
    public async Task Save_StoresTheSettings_AndAuditsEachChangedFieldBeforeAndAfter()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;

        var saved = await service.SaveAsync(Manager, projectId, read with { Name = "  Returns desk ", Description = "Refund mails", ReservationMinutes = 45 }, default);

        Assert.Equal("Returns desk", saved.Settings.Name);
        Assert.True(saved.Settings.Version > read.Version);
        await using var db = await database.ContextAsync();
        var project = await db.Projects.SingleAsync(p => p.Id == projectId);
        Assert.Equal(("Returns desk", "Refund mails", 45), (project.Name, project.Description, project.ReservationMinutes));
        var entry = await db.AuditLog.SingleAsync(a => a.Action == "project.settings");
        Assert.Equal(projectId, entry.ProjectId);
        Assert.Contains($"name: {read.Name} -> Returns desk", entry.Details, StringComparison.Ordinal);
        Assert.Contains("reservation minutes: 30 -> 45", entry.Details, StringComparison.Ordinal);
        Assert.Contains("description changed", entry.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("annotators per task", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_Unchanged_WritesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;

        var saved = await service.SaveAsync(Manager, projectId, read, default);

        Assert.Equal(read.Version, saved.Settings.Version);
        await using var db = await database.ContextAsync();
        Assert.False(await db.AuditLog.AnyAsync(a => a.Action == "project.settings"));
    }

    [Fact]
    public async Task Save_BadValues_GiveTheSameFieldErrorsAsCreatingAProject()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;
        var created = await Assert.ThrowsAsync<ValidationException>(() => database.Get<ProjectService>().CreateAsync(Manager,
            new NewProject(" ", null, TaxonomyTemplates.CustomerMessages.Id, new ProjectSettings { AnnotatorsPerTask = 0, CoveragePercent = 0, ReservationMinutes = 0 }), default));

        var edited = await Assert.ThrowsAsync<ValidationException>(() => service.SaveAsync(Manager, projectId,
            read with { Name = " ", AnnotatorsPerTask = 0, CoveragePercent = 0, ReservationMinutes = 0 }, default));

        Assert.Equal(["Name", "AnnotatorsPerTask", "CoveragePercent", "ReservationMinutes"], edited.Errors.Select(e => e.Field));
        Assert.Equal(created.Errors.OrderBy(e => e.Field), edited.Errors.OrderBy(e => e.Field));
        Assert.Equal("Reservation time must be between 1 minute and 24 hours.", edited.Errors.Single(e => e.Field == "ReservationMinutes").Message);
        await using var db = await database.ContextAsync();
        Assert.Equal(30, await db.Projects.Where(p => p.Id == projectId).Select(p => p.ReservationMinutes).SingleAsync());
    }

    [Fact]
    public async Task Save_NameOfAnotherProject_IsAFieldError()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (first, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        await using (var db = await database.ContextAsync())
        {
            db.Users.Add(new User { Id = Manager.UserId, ExternalId = $"mia-{Guid.NewGuid():N}", Email = "mia@x", DisplayName = Manager.DisplayName, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var second = await database.Get<ProjectService>().CreateAsync(Manager,
            new NewProject("Second", null, TaxonomyTemplates.CustomerMessages.Id, new ProjectSettings()), default);
        var service = database.Get<ProjectSettingsService>();
        var firstName = (await service.GetAsync(Manager, first, default)).General.Name;
        var read = (await service.GetAsync(Manager, second, default)).General;

        var refused = await Assert.ThrowsAsync<ValidationException>(() => service.SaveAsync(Manager, second, read with { Name = firstName }, default));

        Assert.Equal(("Name", $"A project called \"{firstName}\" already exists."), refused.Errors.Single());
    }

    [Fact]
    public async Task Save_OverAStaleVersion_IsAConflict_AndKeepsTheOtherSave()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;
        await service.SaveAsync(Manager, projectId, read with { ReservationMinutes = 40 }, default);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => service.SaveAsync(Manager, projectId, read with { ReservationMinutes = 50 }, default));

        Assert.Contains("changed these settings meanwhile", conflict.Message, StringComparison.Ordinal);
        await using var db = await database.ContextAsync();
        Assert.Equal(40, await db.Projects.Where(p => p.Id == projectId).Select(p => p.ReservationMinutes).SingleAsync());
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "project.settings"));
    }

    [Fact]
    public async Task OnlyManagers_ReadOrChangeSettings()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;
        var stranger = new PortalPrincipal(Guid.CreateVersion7(), "S", new HashSet<string> { AppRoles.User });

        var forbidden = await Assert.ThrowsAsync<ForbiddenException>(() => service.GetAsync(people[0], projectId, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.SaveAsync(people[0], projectId, read with { ReservationMinutes = 5 }, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.SetArchivedAsync(people[0], projectId, true, read.Version, default));
        await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(stranger, projectId, default));

        Assert.Contains("needs the Manager role", forbidden.Message, StringComparison.Ordinal);
        await using var db = await database.ContextAsync();
        Assert.Equal(30, await db.Projects.Where(p => p.Id == projectId).Select(p => p.ReservationMinutes).SingleAsync());
    }

    [Fact]
    public async Task RaisingOverlap_RetargetsOnlyTasksStillWaiting_KeepingExtrasAndWhatWasHandedOut()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var ids = await TasksAsync(database, projectId,
            new TaskSetup("waiting", TaskState.Open, Target: 2, Assigned: 0, Submitted: 0),
            new TaskSetup("extra asked", TaskState.Open, Target: 3, Assigned: 2, Submitted: 2),
            new TaskSetup("complete", TaskState.Open, Target: 2, Assigned: 2, Submitted: 2),
            new TaskSetup("adjudication", TaskState.Adjudication, Target: 2, Assigned: 2, Submitted: 2),
            new TaskSetup("gold", TaskState.Open, Target: 2, Assigned: 0, Submitted: 0, Gold: true));
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;

        var saved = await service.SaveAsync(Manager, projectId, read with { AnnotatorsPerTask = 3 }, default);

        Assert.Equal(2, saved.RetargetedTasks);
        var tasks = await StateAsync(database, ids);
        Assert.Equal((3, true), tasks["waiting"]);
        Assert.Equal((4, true), tasks["extra asked"]);
        Assert.Equal((2, false), tasks["complete"]);
        Assert.Equal((2, false), tasks["adjudication"]);
        Assert.Equal((2, true), tasks["gold"]);
        await using var db = await database.ContextAsync();
        Assert.Contains("2 open task(s) re-targeted", (await db.AuditLog.SingleAsync(a => a.Action == "project.settings")).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoweringOverlap_NeverGoesBelowWhatWasHandedOut_AndCompletesTasksWithEnough()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 3, annotators: 1);
        var ids = await TasksAsync(database, projectId,
            new TaskSetup("fresh", TaskState.Open, Target: 3, Assigned: 0, Submitted: 0),
            new TaskSetup("two started", TaskState.Open, Target: 3, Assigned: 2, Submitted: 1),
            new TaskSetup("two done", TaskState.Open, Target: 3, Assigned: 2, Submitted: 2));
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;

        await service.SaveAsync(Manager, projectId, read with { AnnotatorsPerTask = 1 }, default);

        var tasks = await StateAsync(database, ids);
        Assert.Equal((1, true), tasks["fresh"]);
        Assert.Equal((2, false), tasks["two started"]);
        // Complete now: the consensus sweep picks it up.
        Assert.Equal((2, false), tasks["two done"]);
    }

    [Fact]
    public async Task LoweringCoverage_GivesTasksOutsideItOneAnnotator_ByTheirContentHash()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var setups = Enumerable.Range(0, 40).Select(i => new TaskSetup($"t{i}", TaskState.Open, Target: 2, Assigned: 0, Submitted: 0)).ToArray();
        var ids = await TasksAsync(database, projectId, setups);
        var service = database.Get<ProjectSettingsService>();
        var read = (await service.GetAsync(Manager, projectId, default)).General;

        await service.SaveAsync(Manager, projectId, read with { CoveragePercent = 50 }, default);

        var tasks = await StateAsync(database, ids);
        foreach (var setup in setups)
        {
            Assert.Equal(Coverage.TargetAnnotations(Hash(setup.Name), 2, 50), tasks[setup.Name].Target);
        }

        Assert.Contains(tasks.Values, t => t.Target == 1);
        Assert.Contains(tasks.Values, t => t.Target == 2);
    }

    [Fact]
    public async Task Archive_HidesTheProjectFromTheHomePage_AndRestoreBringsItBack()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        var service = database.Get<ProjectSettingsService>();
        var projects = database.Get<ProjectService>();

        await service.SetArchivedAsync(Manager, projectId, true, (await service.GetAsync(Manager, projectId, default)).General.Version, default);

        Assert.DoesNotContain(await projects.ListAsync(Manager, default), p => p.Id == projectId);
        var view = await service.GetAsync(Manager, projectId, default);
        Assert.True(view.IsArchived);
        await service.SetArchivedAsync(Manager, projectId, false, view.General.Version, default);
        Assert.Contains(await projects.ListAsync(Manager, default), p => p.Id == projectId);
        await using var db = await database.ContextAsync();
        Assert.Equal(["project.archive", "project.restore"], await db.AuditLog.Where(a => a.ProjectId == projectId && a.Action.StartsWith("project.")
            && a.Action != "project.create").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    private sealed record TaskSetup(string Name, TaskState State, int Target, int Assigned, int Submitted, bool Gold = false);

    private static string Hash(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    private static async Task<Dictionary<string, long>> TasksAsync(TestDatabase database, Guid projectId, params TaskSetup[] setups)
    {
        await using var db = await database.ContextAsync();
        var tasks = setups.ToDictionary(s => s.Name, s => new LabelingTask
        {
            ProjectId = projectId, Text = s.Name, ContentHash = Hash(s.Name), State = s.State, TargetAnnotations = s.Target, AssignedCount = s.Assigned,
            SubmittedCount = s.Submitted, IsGold = s.Gold, IsAvailable = s.Assigned < s.Target, CreatedAt = DateTime.UtcNow,
        });
        db.Tasks.AddRange(tasks.Values);
        await db.SaveChangesAsync();
        return tasks.ToDictionary(kv => kv.Key, kv => kv.Value.Id);
    }

    private static async Task<Dictionary<string, (int Target, bool Available)>> StateAsync(TestDatabase database, Dictionary<string, long> ids)
    {
        await using var db = await database.ContextAsync();
        var tasks = await db.Tasks.AsNoTracking().ToDictionaryAsync(t => t.Id, t => (t.TargetAnnotations, t.IsAvailable));
        return ids.ToDictionary(kv => kv.Key, kv => tasks[kv.Value]);
    }
}
