using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Queries;
using Portal.Web.Agreement;
using Portal.Web.Tasks;

/// <summary>
/// The project home at scale (issue 15): the task browser's page for each single filter and for full-text search, on
/// SQLite with 1M tasks and 3M annotations. Each case reads 20 pages following the "next" cursor from the first, and
/// 20 deep pages (starting past a random task in the upper half), through <see cref="TaskBrowserService"/> as the
/// page calls it (count up to 10,000 included). The floor beside it: a plain keyset read of 50 task ids.
/// </summary>
internal static class ProjectHomeBenchmark
{
    private const int Pages = 20;

    public static async Task RunAsync(string folder, int tasks)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "project-home.db");
        await using var _ = services;
        var seed = Stopwatch.StartNew();
        var seeded = await ProjectHomeSeed.SeedAsync(factory, tasks, annotationsPerTask: 3, default);
        Console.WriteLine($"project home on SQLite: {seeded}, 100 annotators, 365 days of snapshots");
        Console.WriteLine($"  seeding {seed.Elapsed.TotalSeconds:F1} s (raw prepared inserts)");

        var manager = new PortalPrincipal(seeded.ManagerId, "Manager", new HashSet<string> { AppRoles.Manager });
        await using var scope = services.CreateAsyncScope();
        var browser = scope.ServiceProvider.GetRequiredService<TaskBrowserService>();
        var floor = await FloorAsync(factory, seeded, tasks);
        Console.WriteLine($"  floor: plain keyset read of 50 task ids   p50 {floor.P50,6:F1} ms   p95 {floor.P95,6:F1} ms");
        Console.WriteLine($"  {"task browser page (50 rows)",-44} {"first 20 pages",-26} {"20 deep pages",-26} matching");
        foreach (var (name, filter, sort) in Cases(seeded))
        {
            var first = await PagesAsync(browser, manager, seeded.ProjectId, new TaskPageRequest(filter, sort), deep: null, tasks);
            var deep = await PagesAsync(browser, manager, seeded.ProjectId, new TaskPageRequest(filter, sort), deep: new Random(7), tasks);
            var verdict = Math.Max(first.P95, deep.P95) < 150 ? "ok" : "OVER 150 ms";
            Console.WriteLine($"  {name,-44} p50 {first.P50,6:F1} p95 {first.P95,6:F1} ms   p50 {deep.P50,6:F1} p95 {deep.P95,6:F1} ms   {first.Matching}   {verdict}");
        }

        await ProgressAsync(factory, seeded.ProjectId);
        Console.WriteLine();
        await PairScoresAsync(scope.ServiceProvider, factory, seeded);
        await DashboardMeasure.MeasureAsync(scope.ServiceProvider, factory, seeded.ProjectId, seeded.ManagerId);
    }

    /// <summary>
    /// The nightly pair scores (the part of the agreement run the pair list reads), then a day's work after that night:
    /// the last 1/365 of the annotations changed, which a heat-map click scores live.
    /// </summary>
    private static async Task PairScoresAsync(IServiceProvider services, IDbContextFactory<PortalDbContext> factory, ProjectHomeSeeded seeded)
    {
        PhasePeak.Reset();
        var watch = Stopwatch.StartNew();
        var pairs = await services.GetRequiredService<AgreementSnapshotJob>().PairScoresAsync(seeded.ProjectId, default);
        watch.Stop();
        await using var db = await factory.CreateDbContextAsync();
        var rows = await db.PairTaskScores.CountAsync();
        Console.WriteLine($"  nightly pair scores: {pairs:N0} pairs, {rows:N0} scored shared tasks in {watch.Elapsed.TotalSeconds:F1} s, peak {PhasePeak.Bytes() / 1e6:F0} MB (part of the nightly agreement run)");
        var cutoff = seeded.Annotations - seeded.Annotations / 365;
        var now = DateTime.UtcNow;
        var changed = await db.Annotations.Where(a => a.ProjectId == seeded.ProjectId && a.Id > cutoff).ExecuteUpdateAsync(u => u.SetProperty(a => a.UpdatedAt, now));
        Console.WriteLine($"  a day's work since that night: {changed:N0} annotations changed (a click scores their tasks live)");
    }

    /// <summary>The dashboard figures on a project-home database a "--keep" run left in <paramref name="folder"/>.</summary>
    public static async Task DashboardAgainAsync(string folder)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "project-home.db");
        await using var _ = services;
        Guid projectId, managerId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            projectId = await db.Projects.Select(p => p.Id).SingleAsync();
            managerId = await db.Users.Where(u => u.ExternalId == "bench:manager").Select(u => u.Id).SingleAsync();
        }

        Console.WriteLine($"project home on SQLite, the database in {folder}: the dashboard again");
        await using var scope = services.CreateAsyncScope();
        await DashboardMeasure.MeasureAsync(scope.ServiceProvider, factory, projectId, managerId);
    }

    private static IEnumerable<(string Name, TaskFilter Filter, TaskSort Sort)> Cases(ProjectHomeSeeded s) =>
    [
        ("no filter", TaskFilter.None, TaskSort.Id),
        ("state = done", new TaskFilter(State: TaskState.Done), TaskSort.Id),
        ("annotator = A17", new TaskFilter(AnnotatorId: s.AnnotatorA), TaskSort.Id),
        ("label present = Product", new TaskFilter(LabelKey: s.LabelKey), TaskSort.Id),
        ("agreement <= 0.6", new TaskFilter(AgreementMax: 0.6), TaskSort.Id),
        ("agreement 0.2-0.3, sorted by agreement", new TaskFilter(AgreementMin: 0.2, AgreementMax: 0.3), TaskSort.Agreement),
        ("gold", new TaskFilter(Gold: true), TaskSort.Id),
        ("has ground truth", new TaskFilter(HasGroundTruth: true), TaskSort.Id),
        ("waits for review", new TaskFilter(InReview: true), TaskSort.Id),
        ("imported batch", new TaskFilter(ImportJobId: s.ImportJobId), TaskSort.Id),
        ("metadata channel = email", new TaskFilter(MetadataField: "channel", MetadataValue: "email"), TaskSort.Id),
        ("deleted", new TaskFilter(Deleted: true), TaskSort.Id),
        ("search: common word (order)", new TaskFilter(Text: "order"), TaskSort.Id),
        ("search: rare word (twice399)", new TaskFilter(Text: "twice399"), TaskSort.Id),
        ("search: two words (parcel Hamburg)", new TaskFilter(Text: "parcel Hamburg"), TaskSort.Id),
        ("sorted by agreement, lowest first", TaskFilter.None, TaskSort.Agreement),
        ("sorted by priority, highest first", TaskFilter.None, TaskSort.Priority),
    ];

    private sealed record Timing(double P50, double P95, string Matching);

    /// <param name="deep">Null: the first page and the next 19 by cursor. Otherwise each page starts past a random task of the upper half.</param>
    private static async Task<Timing> PagesAsync(TaskBrowserService browser, PortalPrincipal manager, Guid projectId, TaskPageRequest request, Random? deep, int tasks)
    {
        var times = new List<double>();
        var matching = "";
        var after = (string?)null;
        for (var i = 0; i < Pages; i++)
        {
            if (deep is not null)
            {
                var id = tasks / 2 + deep.Next(tasks / 2);
                after = request.Sort == TaskSort.Agreement ? $"1~{(deep.NextDouble() * 0.1 + 0.2).ToString("R", CultureInfo.InvariantCulture)}~{id}"
                    : request.Sort == TaskSort.Priority ? $"2~{deep.Next(4)}~{id}" : $"0~~{id}";
            }

            var watch = Stopwatch.StartNew();
            var page = await browser.BrowseAsync(manager, projectId, request with { After = after }, default);
            times.Add(watch.Elapsed.TotalMilliseconds);
            matching = page.MatchingCapped ? $"{TaskBrowserService.CountCap:N0}+" : page.Matching.ToString("N0", CultureInfo.InvariantCulture);
            if (deep is null)
            {
                // Past the last page, start over from the first.
                after = page.Next;
            }
        }

        return new Timing(Percentile(times, 0.5), Percentile(times, 0.95), matching);
    }

    /// <summary>
    /// Project progress as every page reads it (the counters the triggers keep, issue 18) beside the count it replaced
    /// (what the nightly check still runs), and whether the two agree.
    /// </summary>
    private static async Task ProgressAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId)
    {
        await using var db = await factory.CreateDbContextAsync();
        var read = new List<double>();
        var counted = new List<double>();
        TaskProgress kept = default, recount = default;
        for (var i = 0; i < 10; i++)
        {
            var watch = Stopwatch.StartNew();
            kept = (await db.ProgressAsync([projectId], default))[projectId];
            read.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            recount = (await db.RecountProgressAsync(default))[projectId];
            counted.Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"  {"project progress: read from counters",-44} p50 {Percentile(read, 0.5),6:F1} p95 {Percentile(read, 0.95),6:F1} ms   " +
            $"{kept.Completed:N0} of {kept.Total:N0} complete   {(kept == recount ? "equals a recount" : "DIFFERS FROM A RECOUNT")}");
        Console.WriteLine($"  {"  before: counted over the tasks",-44} p50 {Percentile(counted, 0.5),6:F1} p95 {Percentile(counted, 0.95),6:F1} ms");
    }

    private static async Task<Timing> FloorAsync(IDbContextFactory<PortalDbContext> factory, ProjectHomeSeeded seeded, int tasks)
    {
        await using var db = await factory.CreateDbContextAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id FROM Tasks WHERE ProjectId = $p AND Id > $after ORDER BY Id LIMIT 50";
        command.Parameters.AddWithValue("$p", BenchDatabase.Text(seeded.ProjectId));
        var after = command.Parameters.AddWithValue("$after", 0L);
        var random = new Random(3);
        var times = new List<double>();
        for (var i = 0; i < Pages * 2; i++)
        {
            after.Value = i < Pages ? i * 50L : (long)(tasks / 2 + random.Next(tasks / 2));
            var watch = Stopwatch.StartNew();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    _ = reader.GetInt64(0);
                }
            }

            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return new Timing(Percentile(times, 0.5), Percentile(times, 0.95), "");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
