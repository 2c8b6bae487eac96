using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Jobs;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Data.Bulk;
using Portal.Data.Entities;

/// <summary>The import benchmark's rows: the file the import reads and, row by row, the values it stores for them.</summary>
internal static class ImportRows
{
    public static string ExternalId(int i) => $"msg-{i}";

    public static string Text(int i) =>
        $"Customer message {i}: my order #{100000 + i} from Nordwind Logistics has not arrived in Hamburg. I paid 49.90 EUR on 12 March and the tracking page still says the parcel is waiting.";

    public static string Channel(int i) => i % 3 == 0 ? "chat" : "email";

    /// <summary>The metadata JSON the import stores for the row's one extra field.</summary>
    public static string Metadata(int i) => $$"""{"channel":"{{Channel(i)}}"}""";

    /// <summary>Writes rows <paramref name="from"/> to <paramref name="to"/> (exclusive) as JSONL; the file's size.</summary>
    public static async Task<long> WriteAsync(string file, int from, int to)
    {
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            for (var i = from; i < to; i++)
            {
                await writer.WriteLineAsync($$"""{"id":"{{ExternalId(i)}}","text":"{{Text(i)}}","channel":"{{Channel(i)}}"}""");
            }
        }

        return new FileInfo(file).Length;
    }
}

/// <summary>
/// The floor an import is measured against: what a plain loop takes to insert the same rows into the same schema (a
/// fresh project in a fresh file of the same migrations, triggers and indexes), with the statement and values the
/// import writes (staged under a running job, content hash, external id, metadata JSON, target), through one prepared
/// command, committed every <see cref="Batch"/> rows. The values are made in the loop, hash included; nothing is read,
/// checked or published.
/// </summary>
internal static class ImportFloor
{
    /// <summary>
    /// Rows per transaction. One transaction over a million rows was slower, not faster (481 s against the import's
    /// 256 s on a loaded host): the full-text index's pending terms and the write-ahead log grow with it.
    /// </summary>
    public const int Batch = 1000;

    public static async Task<(TimeSpan Elapsed, long Peak)> MeasureAsync(string folder, int tasks)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "import-floor.db");
        await using var _ = services;
        var now = DateTime.UtcNow;
        var manager = new User { Id = Guid.CreateVersion7(), ExternalId = "bench:manager", Email = "m@bench", DisplayName = "Manager", CreatedAt = now };
        await using var db = await factory.CreateDbContextAsync();
        db.Add(manager);
        await db.SaveChangesAsync();
        var project = await ImportBenchmark.ProjectAsync(factory, manager, "Import floor", annotatorsPerTask: 2);
        var job = new DataJob
        {
            Id = Guid.CreateVersion7(), ProjectId = project.Id, Kind = RunKind.Import, Format = "jsonl", IdempotencyKey = "floor", State = RunState.Running,
            CreatedById = manager.Id, CreatedAt = now, StartedAt = now,
        };
        db.Add(job);
        await db.SaveChangesAsync();

        PhasePeak.Reset();
        var watch = Stopwatch.StartNew();
        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = BenchDatabase.Command(connection, transaction, ImportBulkWriter.Statements(sqlite: true).InsertTask,
            "@p", "@e", "@h", "@t", "@m", "@n", "@d", "@j", "@c", "@g", "@ls");
        object projectId = BenchDatabase.Text(project.Id), jobId = BenchDatabase.Text(job.Id), created = BenchDatabase.Text(now);
        for (var i = 0; i < tasks; i++)
        {
            var text = ImportRows.Text(i);
            var hash = ContentHash.Of(text);
            var target = Coverage.TargetAnnotations(hash, project.AnnotatorsPerTask, project.CoveragePercent);
            await BenchDatabase.Run(insert, projectId, ImportRows.ExternalId(i), hash, text, ImportRows.Metadata(i), target, 0, jobId, created, false, DBNull.Value);
            if ((i + 1) % Batch == 0)
            {
                await transaction.CommitAsync();
                await transaction.DisposeAsync();
                transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
                insert.Transaction = transaction;
            }
        }

        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        watch.Stop();
        return (watch.Elapsed, PhasePeak.Bytes());
    }
}
