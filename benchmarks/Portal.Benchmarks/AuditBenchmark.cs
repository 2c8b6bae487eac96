using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audits;
using Portal.Data;
using Portal.Web.Audits;
using Portal.Web.Jobs;

/// <summary>
/// A night's audit sample on SQLite: <c>annotations</c> submitted annotations (overlap 2) by 100 annotators over 20 span
/// labels and all three sources, sampled by <see cref="AuditRunService.RunAsync"/> (read, plan, pick, write). The floor
/// beside it is a plain read of the same rows (the window's annotations, their spans and answers) with a raw reader.
/// </summary>
internal static class AuditBenchmark
{
    private const int Annotators = 100;
    private const int Labels = 20;
    private const string Night = "2026-11-29";

    public static async Task RunAsync(string folder, int annotations)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "audits.db");
        await using var _ = services;
        var seed = Stopwatch.StartNew();
        var projectId = await SeedAsync(factory, annotations);
        Console.WriteLine($"audit sampling on SQLite, {annotations:N0} submitted annotations, {Annotators} annotators x {Labels} labels x 3 sources, margin +/-5 % at 95 %");
        Console.WriteLine($"  seeding {seed.Elapsed.TotalSeconds:F1} s (raw prepared inserts)");

        PhasePeak.Reset();
        var floor = Stopwatch.StartNew();
        var rows = await ReadFloorAsync(factory, projectId);
        floor.Stop();
        var floorPeak = PhasePeak.Bytes();

        PhasePeak.Reset();
        var reading = Stopwatch.StartNew();
        var read = (await AuditPopulation.ReadAsync(factory, projectId, DateTime.MinValue, RunKeys.WindowEnd(Night), default)).Items.Count;
        reading.Stop();
        var readPeak = PhasePeak.Bytes();

        PhasePeak.Reset();
        var watch = Stopwatch.StartNew();
        await using var scope = services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<AuditRunService>().RunAsync(projectId, Night, AuditTrigger.Nightly, null, default);
        watch.Stop();
        var peak = PhasePeak.Bytes();

        Console.WriteLine($"  audit run   {watch.Elapsed.TotalSeconds,7:F2} s   peak {peak / 1e6,5:F0} MB   population {run!.Population:N0}, sample {run.SampleSize:N0} in {AuditRunPlan.FromJson(run.PlanJson).Strata.Count:N0} strata   (target < 10 s, < 300 MB)");
        Console.WriteLine($"  of which the streaming read of the window (annotations, spans, answers merged) alone: {reading.Elapsed.TotalSeconds:F2} s for {read:N0} annotations, peak {readPeak / 1e6:F0} MB");
        Console.WriteLine($"  plain read  {floor.Elapsed.TotalSeconds,7:F2} s   peak {floorPeak / 1e6,5:F0} MB   {rows:N0} rows (the window's annotations, spans and answers; nothing planned or written)");
        Console.WriteLine($"  the run takes {watch.Elapsed.TotalSeconds / floor.Elapsed.TotalSeconds:F1}x the plain read of its rows");
    }

    /// <summary>The floor: every row the run reads, read once with a raw reader and counted.</summary>
    private static async Task<long> ReadFloorAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId)
    {
        await using var db = await factory.CreateDbContextAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        long rows = 0;
        foreach (var sql in new[]
        {
            "SELECT Id, TaskId, UserId, Source, Version FROM Annotations WHERE ProjectId = $p AND Status IN (1, 3, 4) ORDER BY Id",
            "SELECT s.AnnotationId, s.LabelKey FROM AnnotationSpans s JOIN Annotations a ON a.Id = s.AnnotationId WHERE a.ProjectId = $p ORDER BY s.AnnotationId",
            "SELECT x.AnnotationId, x.LabelKey FROM AnnotationAnswers x JOIN Annotations a ON a.Id = x.AnnotationId WHERE a.ProjectId = $p ORDER BY x.AnnotationId",
        })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$p", projectId.ToString().ToUpperInvariant());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                _ = reader.GetInt64(0);
                _ = reader.GetString(1);
                rows++;
            }
        }

        return rows;
    }

    /// <summary>
    /// Tasks with two annotators each; annotator i favours labels near i, so strata are uneven as in real work; 70 % typed,
    /// 20 % accepted suggestions, 10 % imported; two spans of the main label, one of another, one choice answer.
    /// </summary>
    private static async Task<Guid> SeedAsync(IDbContextFactory<PortalDbContext> factory, int annotations)
    {
        var now = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);
        var (projectId, versionId, annotators) = await BenchDatabase.ProjectAsync(factory, "Audit benchmark", Annotators, now);
        var people = annotators.Select(p => p.UserId).ToList();
        var labels = Enumerable.Range(0, Labels).Select(_ => Guid.NewGuid().ToString().ToUpperInvariant()).ToArray();
        var choice = Guid.NewGuid().ToString().ToUpperInvariant();
        await using var connection = new SqliteConnection(((SqliteConnection)(await factory.CreateDbContextAsync()).Database.GetDbConnection()).ConnectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var task = BenchDatabase.Command(connection, transaction, """
            INSERT INTO Tasks (Id, ProjectId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, CreatedAt, Version)
            VALUES ($id, $project, $id, 'Customer message: my order from Nordwind Logistics has not arrived in Hamburg.', 0, 0, 0, 2, 2, 2, 0, $at, 0)
            """, "$id", "$project", "$at");
        var annotation = BenchDatabase.Command(connection, transaction, """
            INSERT INTO Annotations (Id, ProjectId, TaskId, UserId, Round, TaxonomyVersionId, Status, ReviewRequested, Source, LeadTimeMs, CreatedAt, UpdatedAt, SubmittedAt, Version)
            VALUES ($id, $project, $task, $user, 0, $version, 1, 0, $source, 1000, $at, $at, $at, 1)
            """, "$id", "$project", "$task", "$user", "$version", "$source", "$at");
        var span = BenchDatabase.Command(connection, transaction, "INSERT INTO AnnotationSpans (AnnotationId, ControlName, LabelKey, Start, \"End\") VALUES ($a, 'entities', $label, $start, $start + 4)", "$a", "$label", "$start");
        var answer = BenchDatabase.Command(connection, transaction, "INSERT INTO AnnotationAnswers (AnnotationId, ControlName, LabelKey) VALUES ($a, 'intent', $label)", "$a", "$label");
        var random = new Random(13);
        for (long i = 1; i <= annotations; i++)
        {
            var taskId = (i + 1) / 2;
            var at = now.AddMilliseconds(i * 86_000_000.0 / annotations).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            if (i % 2 == 1)
            {
                await BenchDatabase.Run(task, taskId, projectId.ToString().ToUpperInvariant(), at);
            }

            var person = (int)((taskId * 7 + i % 2) % Annotators);
            var source = random.Next(10) switch { < 7 => 0, < 9 => 1, _ => 2 };
            await BenchDatabase.Run(annotation, i, projectId.ToString().ToUpperInvariant(), taskId, people[person].ToString().ToUpperInvariant(), versionId.ToString().ToUpperInvariant(), source, at);
            var main = labels[(person + (int)Math.Abs(random.NextDouble() * random.NextDouble() * Labels)) % Labels];
            await BenchDatabase.Run(span, i, main, 0);
            await BenchDatabase.Run(span, i, main, 10);
            await BenchDatabase.Run(span, i, labels[random.Next(Labels)], 20);
            await BenchDatabase.Run(answer, i, choice);
        }

        await transaction.CommitAsync();
        return projectId;
    }
}
