using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Review;
using Portal.Web.Taxonomy;

/// <summary>
/// Next-task latency on SQLite: a project with many tasks (overlap 2), annotators working concurrently, each taking
/// the next task, "labeling" for a moment and submitting. Only the next-task call is timed.
/// </summary>
internal static class QueueBenchmark
{
    public static async Task RunAsync(string folder, int tasks, int annotators, int rounds, int thinkMs)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "queue.db");
        await using var _ = services;

        var seed = Stopwatch.StartNew();
        var (projectId, people, versionId) = await SeedAsync(factory, tasks, annotators);
        Console.WriteLine($"next task on SQLite, {tasks:N0} tasks (overlap 2), {annotators} concurrent annotators x {rounds} tasks each, {thinkMs / 2}-{thinkMs * 3 / 2} ms per task");
        Console.WriteLine($"  seeding {seed.Elapsed.TotalSeconds:F1} s (raw prepared inserts)");

        var service = services.GetRequiredService<LabelingService>();
        var controls = await services.GetRequiredService<LabelSetCache>().GetAsync(await factory.CreateDbContextAsync(), versionId, default);
        var intent = controls.Single(c => c.Name == "intent").Labels[0].Key;
        var sentiment = controls.Single(c => c.Name == "sentiment").Labels[0].Key;
        var result = new AnnotationResult([], [new AnswerValue("intent", intent), new AnswerValue("sentiment", sentiment)]);

        // Warm-up: JIT and SQLite page cache.
        var warm = await service.NextAsync(people[0], projectId, default);
        await service.SubmitAsync(people[0], projectId, warm!.TaskId, result, warm.Version, 1, default);

        var (next, submit, wall) = await LoadAsync(service, projectId, people, [result], rounds, thinkMs);
        Console.WriteLine($"  next task   p50 {Percentile(next, 50),7:F2} ms   p95 {Percentile(next, 95),7:F2} ms   max {next.Max(),7:F1} ms   (target p50 <= 5, p95 <= 20)");
        Console.WriteLine($"  submit      p50 {Percentile(submit, 50),7:F2} ms   p95 {Percentile(submit, 95),7:F2} ms");
        Console.WriteLine($"  {next.Count:N0} tasks labeled in {wall.TotalSeconds:F1} s; overlap never exceeded: {await OverlapHeldAsync(factory, projectId)}");
        await using (var db = await factory.CreateDbContextAsync())
        {
            // Submits that complete a task run consensus inline: the figures above include it.
            var truths = await db.GroundTruths.CountAsync(g => g.ProjectId == projectId);
            var complete = await db.Tasks.CountAsync(t => t.ProjectId == projectId && t.SubmittedCount >= t.TargetAnnotations && t.SubmittedCount > 0);
            Console.WriteLine($"  consensus ran on completion: {truths:N0} ground-truth candidates for {complete:N0} complete tasks");
        }
    }

    /// <summary>
    /// Every person at once takes the next task, "labels" for about <paramref name="thinkMs"/> (none when 0: the stress
    /// mode) and submits, <paramref name="rounds"/> times; the next-task and submit calls are timed.
    /// </summary>
    internal static async Task<(List<double> Next, List<double> Submit, TimeSpan Wall)> LoadAsync(
        LabelingService service, Guid projectId, IReadOnlyList<PortalPrincipal> people, IReadOnlyList<AnnotationResult> results, int rounds, int thinkMs)
    {
        var next = new List<double>();
        var submit = new List<double>();
        var gate = new object();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(people.Select(person => Task.Run(async () =>
        {
            var random = new Random(person.UserId.GetHashCode());
            for (var i = 0; i < rounds; i++)
            {
                var result = results[random.Next(results.Count)];
                var watch = Stopwatch.StartNew();
                var item = await service.NextAsync(person, projectId, default);
                var nextMs = watch.Elapsed.TotalMilliseconds;
                await Task.Delay(thinkMs == 0 ? 0 : random.Next(thinkMs / 2, thinkMs * 3 / 2)); // reading and labeling (compressed: people take 10-60 s)
                watch.Restart();
                await (item!.RetestId is { } retest
                    ? service.SubmitRetestAsync(person, projectId, retest, result, item.Version, default) // a blind retest of their own older work
                    : service.SubmitAsync(person, projectId, item.TaskId, result, item.Version, 1000, default));
                lock (gate)
                {
                    next.Add(nextMs);
                    submit.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        })));
        return (next, submit, wall.Elapsed);
    }

    internal static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static async Task<bool> OverlapHeldAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId)
    {
        await using var db = await factory.CreateDbContextAsync();
        return !await db.Tasks.AnyAsync(t => t.ProjectId == projectId && t.AssignedCount > t.TargetAnnotations);
    }

    internal static async Task<(Guid Project, List<PortalPrincipal> People, Guid VersionId)> SeedAsync(IDbContextFactory<PortalDbContext> factory, int tasks, int annotators)
    {
        var now = DateTime.UtcNow;
        var (projectId, versionId, people) = await BenchDatabase.ProjectAsync(factory, "Queue benchmark", annotators, now);
        await using var connection = new SqliteConnection(((SqliteConnection)(await factory.CreateDbContextAsync()).Database.GetDbConnection()).ConnectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO Tasks (ProjectId, ExternalId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, CreatedAt, Version)
            VALUES ($project, $external, $hash, $text, 0, 0, 0, 2, 0, 0, 1, $created, 0)
            """;
        var projectParameter = insert.Parameters.Add("$project", SqliteType.Text);
        var external = insert.Parameters.Add("$external", SqliteType.Text);
        var hash = insert.Parameters.Add("$hash", SqliteType.Text);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        var created = insert.Parameters.Add("$created", SqliteType.Text);
        projectParameter.Value = projectId.ToString().ToUpperInvariant();
        created.Value = now.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
        for (var i = 0; i < tasks; i++)
        {
            external.Value = $"t{i}";
            hash.Value = i.ToString("x64");
            text.Value = $"Customer message number {i}: my order #{100000 + i} from Nordwind Logistics has not arrived in Hamburg.";
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return (projectId, people, versionId);
    }
}
