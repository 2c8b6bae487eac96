using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Web.Agreement;

/// <summary>What <see cref="ProjectHomeSeed"/> made: the project, a manager (an app-wide manager user), two annotators, a span label and the import batch.</summary>
internal sealed record ProjectHomeSeeded(Guid ProjectId, Guid ManagerId, Guid AnnotatorA, Guid AnnotatorB, Guid LabelKey, Guid ImportJobId, int Tasks, long Annotations)
{
    public override string ToString() => $"{Tasks:N0} tasks, {Annotations:N0} annotations";
}

/// <summary>
/// The project home's benchmark project: tasks with varied text (a 400-word vocabulary, so a search word is common or
/// rare), agreement, priorities, states, 1 % gold, ground truth for 30 %, 2 % of the work waiting for review, a tenth from
/// one import batch with metadata, one in a thousand deleted; each task labeled by <c>annotationsPerTask</c> of 100
/// annotators (a span and two answers each); a year of nightly agreement snapshots per question, label and pair. Raw
/// prepared inserts, shared with the drift seed.
/// </summary>
internal static class ProjectHomeSeed
{
    private const int Annotators = 100;
    private static readonly string[] Vocabulary = Words();

    public static async Task<ProjectHomeSeeded> SeedAsync(IDbContextFactory<PortalDbContext> factory, int tasks, int annotationsPerTask, CancellationToken ct)
    {
        var night = new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc);
        var start = night.AddDays(-365);
        var (projectId, versionId, people) = await BenchDatabase.ProjectAsync(factory, "Project home benchmark", Annotators, start.AddDays(-1));
        Guid managerId, importId = Guid.CreateVersion7();
        Guid[] entities, intents, sentiments;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            managerId = await db.Users.Where(u => u.ExternalId == "bench:manager").Select(u => u.Id).SingleAsync(ct);
            var labels = await db.Labels.AsNoTracking().Where(l => l.TaxonomyVersionId == versionId)
                .Join(db.TaxonomyControls, l => l.ControlId, c => c.Id, (l, c) => new { c.Name, l.Key, Label = l.Name, l.SortOrder }).OrderBy(l => l.SortOrder).ToListAsync(ct);
            entities = [.. labels.Where(l => l.Name == "entities").OrderBy(l => l.Label == "Product" ? 0 : 1).Select(l => l.Key)];
            intents = [.. labels.Where(l => l.Name == "intent").Select(l => l.Key)];
            sentiments = [.. labels.Where(l => l.Name == "sentiment").Select(l => l.Key)];
            db.DataJobs.Add(new Portal.Data.Entities.DataJob
            {
                Id = importId, ProjectId = projectId, Kind = Portal.Core.Jobs.RunKind.Import, Format = "jsonl", State = Portal.Core.Jobs.RunState.Succeeded,
                SourceName = "batch-2026-06.jsonl", IdempotencyKey = "bench-import", CreatedAt = night.AddDays(-180),
            });
            await db.SaveChangesAsync(ct);
        }

        var users = people.Select(p => BenchDatabase.Text(p.UserId)).ToArray();
        var project = BenchDatabase.Text(projectId);
        var version = BenchDatabase.Text(versionId);
        await using var connection = new SqliteConnection(((SqliteConnection)(await factory.CreateDbContextAsync(ct)).Database.GetDbConnection()).ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = connection.BeginTransaction();
        var (task, annotation, span, answer, _, truth, _) = DriftSeed.Prepare(connection, transaction);
        var random = new Random(15);
        long annotationId = 0;
        for (long id = 1; id <= tasks; id++)
        {
            var at = start.AddSeconds(id * (365 * 86_400.0 - 3_600) / tasks);
            var agreement = random.Next(10) == 0 ? (object)DBNull.Value : Math.Round(random.NextDouble(), 3);
            await BenchDatabase.Run(task, id, project, random.Next(100) == 0 ? 1 : 0, agreement, BenchDatabase.Text(at), Text(random));
            for (var k = 0; k < annotationsPerTask; k++)
            {
                annotationId++;
                var person = (int)((id * 7 + k * 13) % Annotators);
                var status = random.Next(10) < 4 ? AnnotationStatus.Accepted : AnnotationStatus.Submitted;
                var when = BenchDatabase.Text(at.AddMinutes(5 + k));
                await BenchDatabase.Run(annotation, annotationId, project, id, users[person], version, version, (int)status, when);
                await BenchDatabase.Run(span, annotationId, BenchDatabase.Text(entities[(person + random.Next(3)) % entities.Length]), 0);
                await BenchDatabase.Run(answer, annotationId, "intent", BenchDatabase.Text(intents[random.Next(intents.Length)]));
                await BenchDatabase.Run(answer, annotationId, "sentiment", BenchDatabase.Text(sentiments[random.Next(sentiments.Length)]));
            }

            if (random.Next(10) < 3)
            {
                await BenchDatabase.Run(truth, id, project, version, "{}", agreement, BenchDatabase.Text(at.AddDays(1)));
            }
        }

        await MarkAsync(connection, transaction, project, importId, night);
        await DriftSeed.SnapshotsAsync(connection, transaction, project, users, night, random);
        await transaction.CommitAsync(ct);
        await LabelCountsAsync(factory, connection, projectId, night, ct);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE", ct);
        }

        return new ProjectHomeSeeded(projectId, managerId, people[17].UserId, people[42].UserId, entities[0], importId, tasks, annotationId);
    }

    /// <summary>
    /// The label mix each night of the year stores for the day before it, by the snapshot job's own query
    /// (<see cref="LabelCounts.ForNightAsync"/>), written with a raw insert.
    /// </summary>
    private static async Task LabelCountsAsync(IDbContextFactory<PortalDbContext> factory, SqliteConnection connection, Guid projectId, DateTime night, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var transaction = connection.BeginTransaction();
        var insert = BenchDatabase.Command(connection, transaction, """
            INSERT INTO AgreementSnapshots (ProjectId, Day, Measure, Key, Value, Units, ComputedAt) VALUES ($project, $day, $measure, $key, $count, $count, $at)
            """, "$project", "$day", "$measure", "$key", "$count", "$at");
        var today = DateOnly.FromDateTime(night);
        for (var d = 365; d >= 1; d--)
        {
            var day = today.AddDays(-d);
            foreach (var (key, count) in await LabelCounts.ForNightAsync(db, projectId, day, night, ct))
            {
                await BenchDatabase.Run(insert, BenchDatabase.Text(projectId), day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), LabelCounts.Measure, key, count,
                    BenchDatabase.Text(night.AddDays(-d).AddHours(2)));
            }
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>States, priorities, the import batch with metadata, review requests and deletions, set over the seeded rows.</summary>
    private static async Task MarkAsync(SqliteConnection connection, SqliteTransaction transaction, string project, Guid importId, DateTime night)
    {
        foreach (var sql in new[]
        {
            "UPDATE Tasks SET State = Id % 5, Priority = Id % 4",
            $"UPDATE Tasks SET ImportJobId = '{BenchDatabase.Text(importId)}', MetadataJson = json_object('channel', CASE Id % 3 WHEN 0 THEN 'email' WHEN 1 THEN 'chat' ELSE 'phone' END) WHERE Id % 10 = 0",
            "UPDATE Annotations SET ReviewRequested = 1 WHERE Id % 50 = 0",
            $"UPDATE Tasks SET DeletedAt = '{BenchDatabase.Text(night)}', IsAvailable = 0 WHERE Id % 1000 = 0",
        })
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    private static string Text(Random random)
    {
        // Zipf-like: low word numbers are common, high ones rare, so a search can hit many tasks or a handful.
        var words = new string[8 + random.Next(12)];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Vocabulary[(int)(Vocabulary.Length * Math.Pow(random.NextDouble(), 3))];
        }

        return string.Join(' ', words) + ".";
    }

    private static string[] Words()
    {
        string[] roots = ["order", "parcel", "refund", "delivery", "invoice", "account", "password", "blender", "kettle", "courier", "warranty", "discount",
            "Hamburg", "Berlin", "Munich", "broken", "late", "missing", "charged", "twice"];
        return [.. Enumerable.Range(0, 400).Select(i => i < roots.Length ? roots[i] : roots[i % roots.Length] + i.ToString(CultureInfo.InvariantCulture))];
    }
}
