using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Audits;
using Portal.Web.Review;

/// <summary>
/// The audit queue's next item on SQLite at the issue's size: a million submitted annotations (100 annotators), a night's
/// sample waiting and earlier nights' samples audited. A QA lead works through items in a row (next, count, verdict);
/// the review queue's next item (accept, next) on the same data is measured beside it for comparison.
/// </summary>
internal static class AuditQueueBenchmark
{
    private const int Annotators = 100;
    private const int Rounds = 300;

    public static async Task RunAsync(string folder, int annotations, int waiting)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "audit-queue.db");
        await using var _ = services;
        var seed = Stopwatch.StartNew();
        var audited = waiting * 6;
        var (projectId, lead) = await SeedAsync(factory, annotations, waiting, audited);
        Console.WriteLine($"audit queue on SQLite, {annotations:N0} submitted annotations by {Annotators} annotators, {waiting:N0} audit items waiting, {audited:N0} audited earlier");
        Console.WriteLine($"  seeding {seed.Elapsed.TotalSeconds:F1} s (raw prepared inserts)");

        var audits = services.GetRequiredService<AuditQueueService>();
        var reviews = services.GetRequiredService<ReviewService>();
        // Warm-up: JIT, the label-set cache and SQLite's page cache.
        await audits.NextAsync(lead, projectId, null, default);
        await audits.WaitingCountAsync(lead, projectId, default);
        await reviews.NextAsync(lead, projectId, QueueOrder.OldestFirst, [], default);

        List<double> next = [], count = [], record = [], reviewNext = [], accept = [];
        for (var i = 0; i < Rounds; i++)
        {
            var item = await Timed(next, () => audits.NextAsync(lead, projectId, null, default));
            await Timed(count, () => audits.WaitingCountAsync(lead, projectId, default));
            await Timed(record, async () =>
            {
                await audits.RecordAsync(lead, projectId, item!.SampleId, AuditVerdictInput.Correct(), item.Version, default);
                return 0;
            });
        }

        for (var i = 0; i < Rounds; i++)
        {
            var item = await Timed(reviewNext, () => reviews.NextAsync(lead, projectId, QueueOrder.OldestFirst, [], default));
            await Timed(accept, async () =>
            {
                await reviews.DecideAsync(lead, projectId, item!.AnnotationId, item.Version, Portal.Core.Review.ReviewDecision.Accept, null, null, default);
                return 0;
            });
        }

        Print("next audit item", next, "(target p95 < 50 ms)");
        Print("waiting count", count, "");
        Print("record verdict", record, "");
        Print("review: next item", reviewNext, "(comparison: the review queue on the same data)");
        Print("review: accept", accept, "");
    }

    private static async Task<T> Timed<T>(List<double> into, Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        var value = await action();
        into.Add(watch.Elapsed.TotalMilliseconds);
        return value;
    }

    private static void Print(string what, List<double> values, string note) =>
        Console.WriteLine($"  {what,-20} p50 {QueueBenchmark.Percentile(values, 50),7:F2} ms   p95 {QueueBenchmark.Percentile(values, 95),7:F2} ms   max {values.Max(),7:F1} ms   {note}");

    /// <summary>
    /// Tasks with two submitted annotations each (one Person span), a tenth of them asked for review; the last night's run
    /// samples <paramref name="waiting"/> of them evenly, earlier runs <paramref name="audited"/> more, already audited.
    /// </summary>
    private static async Task<(Guid ProjectId, PortalPrincipal Lead)> SeedAsync(IDbContextFactory<PortalDbContext> factory, int annotations, int waiting, int audited)
    {
        var now = DateTime.UtcNow;
        var (projectId, versionId, people) = await BenchDatabase.ProjectAsync(factory, "Audit queue benchmark", Annotators, now);
        var lead = new PortalPrincipal(Guid.CreateVersion7(), "QA lead", new HashSet<string> { AppRoles.User });
        Guid person;
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Users.Add(new User { Id = lead.UserId, ExternalId = "bench:lead", Email = "lead@bench", DisplayName = lead.DisplayName, CreatedAt = now });
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = lead.UserId, Role = ProjectRole.Reviewer, AddedAt = now });
            db.AuditRuns.AddRange(Run(projectId, "earlier", now.AddDays(-2), audited), Run(projectId, "last-night", now.AddDays(-1), waiting));
            await db.SaveChangesAsync();
            person = await db.Labels.Where(l => l.TaxonomyVersionId == versionId && l.Name == "Person").Select(l => l.Key).SingleAsync();
        }

        var runs = await RunIdsAsync(factory, projectId);
        await using var connection = new SqliteConnection(((SqliteConnection)(await factory.CreateDbContextAsync()).Database.GetDbConnection()).ConnectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var tasks = annotations / 2;
        string Text(Guid g) => g.ToString().ToUpperInvariant();
        string Time(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        Guid Annotator(int k) => people[(k / 2 + k % 2) % Annotators].UserId;
        await InsertAsync(connection, transaction, tasks, """
            INSERT INTO Tasks (ProjectId, ExternalId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, CreatedAt, Version)
            VALUES ($p, $e, $h, $t, 0, 0, 1, 2, 2, 2, 0, $c, 1)
            """, (i, p) => { p["$p"].Value = Text(projectId); p["$e"].Value = $"t{i}"; p["$h"].Value = i.ToString("x64", CultureInfo.InvariantCulture); p["$t"].Value = $"Message {i}: Maria Schneider wrote about order #{100000 + i} from Hamburg."; p["$c"].Value = Time(now); });
        await InsertAsync(connection, transaction, annotations, """
            INSERT INTO Annotations (ProjectId, TaskId, UserId, Round, TaxonomyVersionId, Status, ReviewRequested, Source, LeadTimeMs, CreatedAt, UpdatedAt, SubmittedAt, Version)
            VALUES ($p, $t, $u, 0, $v, 1, $r, 0, 30000, $c, $c, $c, 1)
            """, (k, p) => { p["$p"].Value = Text(projectId); p["$t"].Value = k / 2 + 1; p["$u"].Value = Text(Annotator(k)); p["$v"].Value = Text(versionId); p["$r"].Value = k % 10 == 0 ? 1 : 0; p["$c"].Value = Time(now.AddSeconds(k - annotations)); });
        await InsertAsync(connection, transaction, annotations, """
            INSERT INTO AnnotationSpans (AnnotationId, ControlName, LabelKey, Start, End) VALUES ($a, 'entities', $l, 11, 26)
            """, (k, p) => { p["$a"].Value = k + 1; p["$l"].Value = Text(person); });
        // Samples spread evenly over the annotations: earlier runs first (audited), then last night's (waiting).
        var step = annotations / (audited + waiting);
        await InsertAsync(connection, transaction, audited + waiting, """
            INSERT INTO AuditSamples (AuditRunId, ProjectId, AnnotationId, TaskId, AnnotatorId, LabelKey, Source, Stratum, AnnotationVersion, Outcome, Fixed, SentBack, ReviewerId, ReviewedAt)
            VALUES ($run, $p, $a, $t, $u, $l, 0, $s, 1, $o, 0, 0, $rv, $ra)
            """, (j, p) =>
            {
                var k = j * step + 1; // never annotation 0, which is first in the review queue's comparison
                var done = j < audited;
                p["$run"].Value = Text(done ? runs.Earlier : runs.LastNight); p["$p"].Value = Text(projectId); p["$a"].Value = k + 1; p["$t"].Value = k / 2 + 1;
                p["$u"].Value = Text(Annotator(k)); p["$l"].Value = Text(person); p["$s"].Value = $"{Annotator(k)}|{person}|Human"; p["$o"].Value = done ? 1 : 0;
                p["$rv"].Value = done ? Text(lead.UserId) : DBNull.Value; p["$ra"].Value = done ? Time(now.AddDays(-1)) : DBNull.Value;
            });
        await transaction.CommitAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        await analyze.ExecuteNonQueryAsync();
        return (projectId, lead);
    }

    private static AuditRun Run(Guid projectId, string key, DateTime at, int size) => new()
    {
        Id = Guid.CreateVersion7(), ProjectId = projectId, RunKey = key, State = Portal.Core.Jobs.RunState.Succeeded, Confidence = 0.95, MarginOfError = 0.05,
        MinPerStratum = 5, WindowStart = at.AddDays(-1), WindowEnd = at, SampleSize = size, CreatedAt = at, CompletedAt = at,
    };

    private static async Task<(Guid Earlier, Guid LastNight)> RunIdsAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId)
    {
        await using var db = await factory.CreateDbContextAsync();
        var runs = await db.AuditRuns.Where(r => r.ProjectId == projectId).ToDictionaryAsync(r => r.RunKey, r => r.Id);
        return (runs["earlier"], runs["last-night"]);
    }

    /// <summary>One prepared statement run <paramref name="rows"/> times; its $parameters are bound by <paramref name="bind"/>.</summary>
    private static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, int rows, string sql, Action<int, SqliteParameterCollection> bind)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = sql;
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(sql, @"\$\w+").Select(m => m.Value).Distinct())
        {
            insert.Parameters.Add(name, SqliteType.Text);
        }

        insert.Prepare();
        for (var i = 0; i < rows; i++)
        {
            bind(i, insert.Parameters);
            await insert.ExecuteNonQueryAsync();
        }
    }
}
