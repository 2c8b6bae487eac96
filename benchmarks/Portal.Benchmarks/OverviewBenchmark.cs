using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Data.Queries;
using Portal.Web.Projects;

/// <summary>
/// The project's Overview page (/projects/{id}) on a kept million-task database (issue 18: first load under 1 s): the
/// first call after the connection pool is cleared, then the median of five more, through
/// <see cref="ProjectOverviewService"/> as the page calls it, with the statements the first call ran and their times, and
/// the counts the Overview's counters replaced (docs/decisions/0025-overview-counters.md).
/// </summary>
internal static class OverviewBenchmark
{
    public static async Task RunAsync(string folder)
    {
        var migrate = Stopwatch.StartNew();
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "portal.db");
        await using var _ = services;
        Console.WriteLine($"project overview on SQLite ({Path.Combine(folder, "portal.db")}); opened and migrated in {migrate.Elapsed.TotalSeconds:F1} s");
        Guid projectId, managerId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            projectId = await db.Projects.Where(p => p.Name == "Project home benchmark").Select(p => p.Id).SingleAsync();
            managerId = await db.Users.Where(u => u.ExternalId == $"{Portal.Web.Auth.UserDirectory.DemoPrefix}bench:manager").Select(u => u.Id).SingleAsync();
        }

        var manager = new PortalPrincipal(managerId, "Manager", new HashSet<string> { AppRoles.Manager });
        await using var scope = services.CreateAsyncScope();
        var overview = scope.ServiceProvider.GetRequiredService<ProjectOverviewService>();
        SqliteConnection.ClearAllPools();
        ProjectOverview first;
        double firstMs;
        using (var sql = SqlLog.Instance.Start())
        {
            var watch = Stopwatch.StartNew();
            first = await overview.GetAsync(manager, projectId, default);
            firstMs = watch.Elapsed.TotalMilliseconds;
            Console.WriteLine($"  first load   {firstMs,7:F0} ms   ({sql.Commands.Count} statements, target < 1,000 ms); the slowest:");
            foreach (var line in sql.Slowest(6))
            {
                Console.WriteLine($"    {line}");
            }
        }

        var again = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            await overview.GetAsync(manager, projectId, default);
            again.Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"  again        {again.Order().ElementAt(2),7:F0} ms median of 5 (min {again.Min():F0}, max {again.Max():F0})");
        // The counts the counters replaced, kept as the nightly check's recount: what the page would pay without the counters.
        await using (var db = await factory.CreateDbContextAsync())
        {
            var watch = Stopwatch.StartNew();
            await db.RecountOverlapAsync(projectId, default);
            var buckets = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            await db.RecountDaysAsync(projectId, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1 - ProjectOverviewService.ThroughputDays), default);
            Console.WriteLine($"  the counts the counters replaced (one project, now the nightly recount): buckets {buckets:F0} ms, {ProjectOverviewService.ThroughputDays}-day throughput {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        Console.WriteLine($"  figures: total {first.Total:N0}, done {first.Done:N0}, in progress {first.InProgress:N0}, to do {first.ToDo:N0}, " +
            $"by overlap [{string.Join(", ", first.ByOverlap.Select(b => $"{b.Annotations}: {b.Tasks:N0}"))}], submitted in {ProjectOverviewService.ThroughputDays} days {first.SubmittedInWindow:N0}");
    }
}
