using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using MudBlazor.Services;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Components.Dashboard;
using Portal.Web.Dashboard;

/// <summary>
/// The quality dashboard's two timed paths (issue 15), each beside a floor measured in the same run:
/// first render = the service's one load plus the dashboard's chart components rendered to HTML with ASP.NET Core's
/// HtmlRenderer (targets: under 1 s); heat-map click = the first page of a pair's disagreements, p95 over the ten lowest
/// pairs (target: under 300 ms). Floors: a raw read of the same snapshot rows, and a raw read of each pair's shared tasks.
/// </summary>
internal static class DashboardMeasure
{
    private const int Loads = 5;
    private const int WorstPairs = 10;

    public static async Task MeasureAsync(IServiceProvider services, IDbContextFactory<PortalDbContext> factory, Guid projectId, Guid managerUserId)
    {
        var manager = new PortalPrincipal(managerUserId, "Manager", new HashSet<string> { AppRoles.Manager });
        await using var scope = services.CreateAsyncScope();
        var dashboard = scope.ServiceProvider.GetRequiredService<QualityDashboardService>();
        var pairs = scope.ServiceProvider.GetRequiredService<PairDisagreementService>();
        await using var renderer = RenderHost();

        // One warm-up load and render: JIT and the label-set cache, as a running app has them.
        var board = await dashboard.LoadAsync(manager, projectId, new DashboardFilter(), null, default);
        await RenderAsync(renderer, board, projectId);
        var load = new List<double>();
        var render = new List<double>();
        for (var i = 0; i < Loads; i++)
        {
            var watch = Stopwatch.StartNew();
            board = await dashboard.LoadAsync(manager, projectId, new DashboardFilter(), null, default);
            load.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            await RenderAsync(renderer, board, projectId);
            render.Add(watch.Elapsed.TotalMilliseconds);
        }

        var floor = await SnapshotFloorAsync(factory, projectId, board.From, board.To);
        Console.WriteLine($"  dashboard first render  median {Median(load) + Median(render),7:F1} ms (service load {Median(load):F1} ms + HTML render of the charts {Median(render):F1} ms; target < 1000 ms)");
        Console.WriteLine($"    {board.Trends.Count} trends over {(board.To.DayNumber - board.From.DayNumber) + 1} nights, {board.Pairs.Cells.Count} pair cells, {board.Labels.Count} labels, mix of {board.Mix?.Rows[0].Total ?? 0:N0} answers");
        Console.WriteLine($"    floor: raw read of the range's snapshot rows {floor.Ms,7:F1} ms ({floor.Rows:N0} rows)");

        var worst = board.Pairs.Cells.Where(c => c.Value is not null).OrderBy(c => c.Value).Take(WorstPairs).ToList();
        var click = new List<double>();
        var floors = new List<double>();
        var shared = 0;
        var lines = new List<string>();
        (double Ms, List<string> Sql) slowest = (0, []);
        if (worst.Count > 0)
        {
            // One click first, as a running portal has served before: EF compiles each query once per process.
            await pairs.ListAsync(manager, projectId, worst[^1].A, worst[^1].B, null, 50, 1.0, default);
        }

        foreach (var cell in worst)
        {
            using var sql = SqlLog.Instance.Start();
            var watch = Stopwatch.StartNew();
            var page = await pairs.ListAsync(manager, projectId, cell.A, cell.B, null, 50, 1.0, default);
            click.Add(watch.Elapsed.TotalMilliseconds);
            if (click[^1] > slowest.Ms)
            {
                slowest = (click[^1], [.. sql.Slowest(4)]);
            }

            shared += page.SharedTasks;
            floors.Add((await SharedFloorAsync(factory, projectId, cell.A, cell.B)).Ms);
            lines.Add($"    pair …{cell.A.ToString()[^4..]} / …{cell.B.ToString()[^4..]} ({cell.Measure}): {page.SharedTasks,6:N0} shared, {page.Disagreed,6:N0} disagreed  {click[^1],7:F1} ms  (its raw shared-task read {floors[^1],7:F1} ms)");
        }

        Console.WriteLine(worst.Count == 0
            ? "  heat-map click -> list: no pair figures in the latest snapshot"
            : $"  heat-map click -> list  p95 {P95(click),7:F1} ms over the {worst.Count} lowest pairs ({shared:N0} shared tasks in all; target < 300 ms)");
        if (worst.Count > 0)
        {
            Console.WriteLine($"    floor: raw read of each pair's shared tasks, p95 {P95(floors),7:F1} ms");
            lines.ForEach(Console.WriteLine);
            Console.WriteLine($"    the slowest click ({slowest.Ms:F1} ms), its slowest SQL:");
            slowest.Sql.ForEach(line => Console.WriteLine($"      {line}"));
        }
    }

    /// <summary>The charts the first render draws, to HTML, with the figures the service loaded (no browser, no JS).</summary>
    private static async Task RenderAsync(HtmlRenderer renderer, QualityDashboard board, Guid projectId)
    {
        await renderer.Dispatcher.InvokeAsync(async () =>
        {
            foreach (var (trend, i) in board.Trends.Select((t, i) => (t, i)))
            {
                await Html<AgreementTrendChart>(renderer, new() { ["Trend"] = trend, ["Id"] = $"trend-{i}" });
            }

            await Html<PairHeatMap>(renderer, new() { ["Matrix"] = board.Pairs, ["ProjectId"] = projectId });
            await Html<LabelAgreementChart>(renderer, new() { ["Labels"] = board.Labels, ["Alphas"] = board.Alphas, ["ProjectId"] = projectId });
            await Html<LabelMixChart>(renderer, new() { ["Mix"] = board.Mix });
        });
    }

    private static async Task<int> Html<T>(HtmlRenderer renderer, Dictionary<string, object?> parameters)
        where T : IComponent =>
        (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString().Length;

    private static HtmlRenderer RenderHost()
    {
        var services = new ServiceCollection().AddLogging().AddMudServices();
        // Static rendering has no browser: JS calls (MudBlazor's resize observers) have nowhere to go and return nothing.
        services.AddScoped<IJSRuntime, NoBrowser>();
        services.AddScoped<NavigationManager, StaticNavigation>();
        var provider = services.BuildServiceProvider();
        return new HtmlRenderer(provider, provider.GetRequiredService<ILoggerFactory>());
    }

    private sealed class NoBrowser : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => ValueTask.FromResult(default(TValue)!);
    }

    private sealed class StaticNavigation : NavigationManager
    {
        public StaticNavigation() => Initialize("http://bench/", "http://bench/quality");
    }

    private static async Task<(double Ms, long Rows)> SnapshotFloorAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, DateOnly from, DateOnly to) =>
        await RawAsync(factory, "SELECT Day, Measure, Key, Value, Units FROM AgreementSnapshots WHERE ProjectId = $p AND Day >= $from AND Day <= $to",
            ("$p", BenchDatabase.Text(projectId)), ("$from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    private static async Task<(double Ms, long Rows)> SharedFloorAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, Guid a, Guid b) =>
        await RawAsync(factory, """
            SELECT x.TaskId, x.Id, y.Id FROM Annotations x JOIN Annotations y ON y.TaskId = x.TaskId AND y.UserId = $b AND y.Round = 0
            WHERE x.ProjectId = $p AND x.UserId = $a AND x.Round = 0
            """, ("$p", BenchDatabase.Text(projectId)), ("$a", BenchDatabase.Text(a)), ("$b", BenchDatabase.Text(b)));

    private static async Task<(double Ms, long Rows)> RawAsync(IDbContextFactory<PortalDbContext> factory, string sql, params (string Name, object Value)[] parameters)
    {
        await using var db = await factory.CreateDbContextAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        long rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return (watch.Elapsed.TotalMilliseconds, rows);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double P95(List<double> values) => values.Order().ElementAt((int)Math.Ceiling(0.95 * values.Count) - 1);
}

/// <summary>
/// The dashboard measured on the drift benchmark's seed (100 annotators, 365 nights of snapshots) until the project-home
/// suite (1M tasks, 3M annotations) calls <see cref="DashboardMeasure.MeasureAsync"/> on its own.
/// </summary>
internal static class DashboardOnDriftSeed
{
    public static async Task RunAsync(string folder, int annotations)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "dashboard.db");
        await using var _ = services;
        var seed = Stopwatch.StartNew();
        var seeded = await DriftSeed.SeedAsync(factory, annotations);
        Console.WriteLine($"quality dashboard on SQLite, the drift seed: {annotations:N0} submitted annotations, 100 annotators, 365 nights of snapshots");
        Console.WriteLine($"  seeding {seed.Elapsed.TotalSeconds:F1} s: {seeded}");
        Guid managerId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            // The seed's creator is not a member; the dashboard is read as the project's manager.
            managerId = await db.Users.Where(u => u.ExternalId == "bench:manager").Select(u => u.Id).SingleAsync();
            db.ProjectMembers.Add(new Portal.Data.Entities.ProjectMember { ProjectId = seeded.ProjectId, UserId = managerId, Role = ProjectRole.Manager, AddedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        await DashboardMeasure.MeasureAsync(services, factory, seeded.ProjectId, managerId);
    }
}
