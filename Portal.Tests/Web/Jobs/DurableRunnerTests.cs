using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;
using Portal.Web.ImportExport;
using Portal.Web.Jobs;

namespace Portal.Tests.Web.Jobs;

/// <summary>
/// Durable runs on the real app with its own Hangfire server (one worker) and run watcher: a running import cancelled
/// keeps nothing, a run whose owner stopped beating is resumed within seconds, and progress reaches subscribers.
/// </summary>
/// <remarks>
/// In the browser tests' collection because those start a Hangfire server too: Hangfire keeps process-wide state
/// (its current storage and job activator), so two apps with servers in one test process must not run side by side.
/// </remarks>
[Collection(Browser.BrowserCollection.Name)]
public sealed class DurableRunnerTests : IAsyncLifetime
{
    private TestPortal portal = default!;

    public async Task InitializeAsync() => portal = await TestPortal.StartAsync(new Dictionary<string, string>
    {
        ["Portal:Jobs:RunServer"] = "true",
        ["Portal:Jobs:WorkerCount"] = "1",
    });

    public async Task DisposeAsync() => await portal.DisposeAsync();

    private IDbContextFactory<PortalDbContext> Factory => portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    private async Task<(Guid ProjectId, PortalPrincipal Manager)> DemoAsync()
    {
        await using var db = await Factory.CreateDbContextAsync();
        var projectId = await db.Projects.Where(p => p.Name == DemoSeeder.ProjectName).Select(p => p.Id).SingleAsync();
        var manager = await db.Users.Where(u => u.Email == "morgan.manager@demo.local").Select(u => u.Id).SingleAsync();
        return (projectId, new PortalPrincipal(manager, "Morgan", new HashSet<string> { AppRoles.Manager }));
    }

    private async Task<T> WithServiceAsync<T>(Func<DataJobService, Task<T>> action)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<DataJobService>());
    }

    private static string Jsonl(string prefix, int rows) =>
        string.Join('\n', Enumerable.Range(0, rows).Select(i => $$"""{"id":"{{prefix}}{{i}}","text":"Message {{i}} about an order that arrived late and broken."}"""));

    private Task<StagedUpload> UploadAsync(Guid projectId, PortalPrincipal manager, string name, string content) =>
        WithServiceAsync(data => data.UploadAsync(manager, projectId, name, new MemoryStream(Encoding.UTF8.GetBytes(content)), default));

    private async Task<RunState> WaitForStateAsync(Guid runId, Func<RunState, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var db = await Factory.CreateDbContextAsync();
            var state = await db.DataJobs.Where(j => j.Id == runId).Select(j => j.State).SingleAsync();
            if (done(state) || DateTime.UtcNow > until)
            {
                return state;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task CancellingARunningImport_RollsItBack_AndEndsCancelled()
    {
        var (projectId, manager) = await DemoAsync();
        var upload = await UploadAsync(projectId, manager, "big.jsonl", Jsonl("cancel-", 300_000));
        var updates = new List<RunUpdate>();
        using var subscription = portal.Services.GetRequiredService<RunNotifier>().Subscribe(projectId, u => { lock (updates) { updates.Add(u); } });
        var runId = await WithServiceAsync(data => data.StartImportAsync(manager, projectId,
            new ImportSpec(new ImportSource(ImportSourceKind.Upload, upload.Id), TaskFileFormat.Jsonl), "cancel", default));

        // Cancelled once pages have been told rows were read into its (uncommitted) transaction.
        var registry = portal.Services.GetRequiredService<RunRegistry>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && !Heard(u => u.RunId == runId && u.State == RunState.Running && u.Processed > 0))
        {
            await Task.Delay(20);
        }

        await using (var check = await Factory.CreateDbContextAsync())
        {
            var row = await check.DataJobs.AsNoTracking().SingleAsync(j => j.Id == runId);
            Assert.True(registry.Get(runId) is { Rows: > 0 and < 300_000 },
                $"the import should be running: {row.State}, owner {row.Owner}, Hangfire job {row.HangfireJobId}, rows here {registry.Get(runId)?.Rows}, {row.Message}");
        }

        await WithServiceAsync(async data =>
        {
            await data.CancelAsync(manager, projectId, runId, default);
            return true;
        });

        Assert.Equal(RunState.Cancelled, await WaitForStateAsync(runId, s => s != RunState.Running, TimeSpan.FromSeconds(60)));
        // The runner records the end before it leaves the registry (in its finally block): give it that moment.
        for (var i = 0; i < 50 && registry.IsRunning(runId); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(registry.IsRunning(runId));
        await using var db = await Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.Tasks.CountAsync(t => t.ImportJobId == runId || (t.ExternalId != null && t.ExternalId.StartsWith("cancel-"))));
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "data.job.cancel" && a.ObjectId == runId.ToString()));
        lock (updates)
        {
            Assert.Equal(RunState.Cancelled, updates.Last(u => u.RunId == runId).State);
        }

        bool Heard(Func<RunUpdate, bool> what)
        {
            lock (updates)
            {
                return updates.Any(what);
            }
        }
    }

    [Fact]
    public async Task JobsAreBuiltFromThisAppsContainer_EvenWhenAnotherAppConfiguredHangfireLastAndStopped()
    {
        // Hangfire keeps its job activator (like its storage) in a process-wide static that the last app to configure it
        // sets. Tests start apps side by side: one that configured Hangfire between this app's configuration and its
        // workers' start, then stopped, used to leave the workers building jobs from a disposed container.
        await using var app = await TestPortal.StartAsync();
        await using (var other = await TestPortal.StartAsync())
        {
            other.Services.GetRequiredService<Hangfire.IGlobalConfiguration>();
            app.Services.GetRequiredService<Hangfire.IGlobalConfiguration>();
            other.Services.GetRequiredService<Hangfire.IGlobalConfiguration>();
        }

        var activator = app.Services.GetRequiredService<Hangfire.JobActivator>();
        using var scope = activator.BeginScope((Hangfire.JobActivatorContext)null!);

        Assert.IsType<DurableRunner>(scope.Resolve(typeof(DurableRunner)));
    }

    [Fact]
    public async Task ARunWhoseOwnerStoppedBeating_IsResumedWithinSeconds_ButNotOneThatStillBeats()
    {
        var (projectId, manager) = await DemoAsync();
        var now = DateTime.UtcNow;
        var dead = await RunningRowAsync(projectId, manager, "dead", heartbeat: now - DurableRunner.Stale - TimeSpan.FromSeconds(1));
        var alive = await RunningRowAsync(projectId, manager, "alive", heartbeat: now.AddMinutes(1));

        var resumed = await portal.Services.GetRequiredService<RunSweeper>().ResumeDeadAsync(default);
        Assert.DoesNotContain(alive, resumed);

        // The watcher (or the sweep above) hands it to a worker long before the old fixed two minutes.
        var state = await WaitForStateAsync(dead, s => s == RunState.Succeeded, TimeSpan.FromSeconds(20));
        await using var db = await Factory.CreateDbContextAsync();
        var row = await db.DataJobs.AsNoTracking().SingleAsync(j => j.Id == dead);
        Assert.True(state == RunState.Succeeded, $"{state}, owner {row.Owner}, heartbeat {row.HeartbeatAt:O}, Hangfire job {row.HangfireJobId}, message {row.Message}");
        Assert.Equal(20, await db.Tasks.CountAsync(t => t.ImportJobId == dead));
        var still = await db.DataJobs.AsNoTracking().SingleAsync(j => j.Id == alive);
        Assert.Equal((RunState.Running, "other-host/1/alive"), (still.State, still.Owner));
        Assert.Equal(0, await db.Tasks.CountAsync(t => t.ImportJobId == alive));
    }

    /// <summary>An import row as another process leaves it while running it: Running, owned by it, heartbeat as given.</summary>
    private async Task<Guid> RunningRowAsync(Guid projectId, PortalPrincipal manager, string name, DateTime heartbeat)
    {
        var upload = await UploadAsync(projectId, manager, $"{name}.jsonl", Jsonl($"{name}-", 20));
        var spec = new ImportSpec(new ImportSource(ImportSourceKind.Upload, upload.Id), TaskFileFormat.Jsonl);
        var run = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Kind = RunKind.Import, Format = "jsonl", State = RunState.Running, OptionsJson = spec.ToJson(),
            SourceName = upload.Name, IdempotencyKey = $"test:{name}", CreatedById = manager.UserId, CreatedAt = DateTime.UtcNow.AddMinutes(-5),
            StartedAt = DateTime.UtcNow.AddMinutes(-5), HeartbeatAt = heartbeat, Owner = $"other-host/1/{name}",
        };
        await using var db = await Factory.CreateDbContextAsync();
        db.DataJobs.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }
}
