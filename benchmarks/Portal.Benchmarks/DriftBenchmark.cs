using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Drift;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Drift;
using Portal.Web.Taxonomy;

/// <summary>
/// A night's drift checks on SQLite (issue 14): one project, 100 annotators, <c>annotations</c> submitted annotations
/// (overlap 2) over 365 days with spans and choice answers, a label set v2 that edits one label's definition and splits
/// another, a year of gold scores and agreement snapshots, ground truth and accepted work older than the relabel age, and
/// some hundreds of retests. Measured: <see cref="DriftRunService.RunAsync"/> with all six checks on, end to end (findings
/// stored), and each check's own time through a timing decorator around every <see cref="IDriftCheck"/> in that same run.
/// The floor beside it is a plain read of all annotations' (id, user, submitted at) and their spans and answers.
/// </summary>
internal static class DriftBenchmark
{
    private const int Annotators = 100;
    private const int Days = 365;
    private const string Night = "2026-11-29";

    public static async Task RunAsync(string folder, int annotations)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "drift.db");
        await using var _ = services;
        var seed = Stopwatch.StartNew();
        var seeded = await DriftSeed.SeedAsync(factory, annotations);
        Console.WriteLine($"drift checks on SQLite, {annotations:N0} submitted annotations, {Annotators} annotators, {Days} days of snapshots, all six checks on");
        Console.WriteLine($"  seeding {seed.Elapsed.TotalSeconds:F1} s (raw prepared inserts): {seeded}");

        PhasePeak.Reset();
        var floor = Stopwatch.StartNew();
        var rows = await ReadFloorAsync(factory, seeded.ProjectId);
        floor.Stop();
        var floorPeak = PhasePeak.Bytes();

        PhasePeak.Reset();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await using var scope = services.CreateAsyncScope();
        var timed = scope.ServiceProvider.GetServices<IDriftCheck>().Select(c => new TimedCheck(c)).ToList();
        var runner = ActivatorUtilities.CreateInstance<DriftRunService>(scope.ServiceProvider, (IEnumerable<IDriftCheck>)timed);
        var run = await runner.RunAsync(seeded.ProjectId, Night, null, default);
        watch.Stop();
        var peak = PhasePeak.Bytes();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        await using var db = await factory.CreateDbContextAsync();
        var found = await db.DriftFindings.Where(f => f.ProjectId == seeded.ProjectId).GroupBy(f => f.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count(), Items = g.Sum(f => f.AffectedCount) }).ToDictionaryAsync(g => g.Kind);
        Console.WriteLine($"  drift run   {watch.Elapsed.TotalSeconds,7:F2} s   peak {peak / 1e6,5:F0} MB   allocated {allocated / 1e6:N0} MB   {run.State}, {run.NewFindings} new finding(s){(run.Message is null ? "" : " — " + run.Message)}   (target < 30 s, < 400 MB)");
        foreach (var check in timed.OrderBy(c => c.Kind))
        {
            var f = found.GetValueOrDefault(check.Kind);
            Console.WriteLine($"    {DriftRunService.Describe(check.Kind),-36} {check.Seconds,7:F2} s   {f?.Count ?? 0,3} finding(s), {f?.Items ?? 0:N0} affected item(s)");
        }

        Console.WriteLine($"    {"storing findings, settings, the run",-36} {watch.Elapsed.TotalSeconds - timed.Sum(c => c.Seconds),7:F2} s   (the rest of the run: everything outside the checks' RunAsync)");
        Console.WriteLine($"  plain read  {floor.Elapsed.TotalSeconds,7:F2} s   peak {floorPeak / 1e6,5:F0} MB   {rows:N0} rows (all annotations' id, user, submitted at, their spans and answers; nothing computed or written)");
        Console.WriteLine($"  the run takes {watch.Elapsed.TotalSeconds / floor.Elapsed.TotalSeconds:F1}x the plain read of the project's work");
    }

    /// <summary>The floor: every annotation of the project and its spans and answers, read once with a raw reader and counted.</summary>
    private static async Task<long> ReadFloorAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId)
    {
        await using var db = await factory.CreateDbContextAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        long rows = 0;
        foreach (var sql in new[]
        {
            "SELECT Id, UserId, SubmittedAt FROM Annotations WHERE ProjectId = $p ORDER BY Id",
            "SELECT s.AnnotationId, s.LabelKey FROM AnnotationSpans s JOIN Annotations a ON a.Id = s.AnnotationId WHERE a.ProjectId = $p ORDER BY s.AnnotationId",
            "SELECT x.AnnotationId, x.LabelKey FROM AnnotationAnswers x JOIN Annotations a ON a.Id = x.AnnotationId WHERE a.ProjectId = $p ORDER BY x.AnnotationId",
        })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$p", BenchDatabase.Text(projectId));
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

    /// <summary>Times one check's RunAsync (the findings are stored by the run, outside this time).</summary>
    private sealed class TimedCheck(IDriftCheck inner) : IDriftCheck
    {
        public DriftKind Kind => inner.Kind;

        public double Seconds { get; private set; }

        public async Task<IReadOnlyList<DriftFindingDraft>> RunAsync(DriftCheckContext context, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                return await inner.RunAsync(context, ct);
            }
            finally
            {
                Seconds += watch.Elapsed.TotalSeconds;
            }
        }
    }
}

/// <summary>
/// The drift benchmark's project. Annotator i favours span labels near i; ten annotators (i % 10 == 3) change their mix in
/// the last 7 days; three (i % 33 == 5) score worse on gold in the last 15 days; five (i % 20 == 7) answer their retests
/// differently; the span agreement of the entities question dips in the last 4 days. v2, 65 days before the night, edits
/// Product's definition and splits Refund request: the work labeled Refund request before went back to its annotators
/// (70 % of it relabeled since). Ground truth for half the tasks older than 30 days; 40 % of such work accepted.
/// </summary>
internal static class DriftSeed
{
    private const string Message = "Customer message: my order from Nordwind Logistics has not arrived in Hamburg.";

    private const int Annotators = 100;
    private const int Days = 365;
    private const int RelabelAgeDays = 180;

    public sealed record Seeded(Guid ProjectId, int Tasks, int GoldScores, int Snapshots, int GroundTruths, int RelabelItems, int Retests)
    {
        public override string ToString() =>
            $"{Tasks:N0} tasks, {GoldScores:N0} gold scores, {Snapshots:N0} agreement snapshots, {GroundTruths:N0} ground truths, {RelabelItems:N0} relabel tasks, {Retests:N0} retests";
    }

    public static async Task<Seeded> SeedAsync(IDbContextFactory<PortalDbContext> factory, int annotations)
    {
        var night = new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc);
        var start = night.AddDays(-Days);
        var (projectId, v1Id, people) = await BenchDatabase.ProjectAsync(factory, "Drift benchmark", Annotators, start.AddDays(-1));
        var users = people.Select(p => BenchDatabase.Text(p.UserId)).ToArray();
        var v2At = night.AddDays(-65);
        var labels = await LabelSetV2Async(factory, projectId, v1Id, v2At);
        var (v1, v2) = (BenchDatabase.Text(v1Id), BenchDatabase.Text(labels.V2));
        var project = BenchDatabase.Text(projectId);

        await using var connection = new SqliteConnection(((SqliteConnection)(await factory.CreateDbContextAsync()).Database.GetDbConnection()).ConnectionString);
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var (task, annotation, span, answer, relabel, truth, retest) = Prepare(connection, transaction);

        var random = new Random(14);
        var (relabels, truths, retests) = (0, 0, 0);
        // About 800 retests at 1M annotations (the window below holds 27 % of the year), drawn at random so every annotator gets some.
        var retestRate = Math.Min(1, 3_000.0 / annotations);
        var entities = labels.Entities;
        for (long i = 1; i <= annotations; i++)
        {
            var taskId = (i + 1) / 2;
            var at = start.AddSeconds(i * (Days * 86_400.0 - 3_600) / annotations);
            var person = (int)((taskId * 7 + i % 2) % Annotators);
            if (i % 2 == 1)
            {
                await BenchDatabase.Run(task, taskId, project, 0, 0.4 + 0.6 * random.NextDouble(), BenchDatabase.Text(at.AddMinutes(-5)), Message);
            }

            // Spans: annotator i favours labels near i; a drifting annotator moves to the last labels in the last week.
            var drifting = person % 10 == 3 && at >= night.AddDays(-7);
            var picks = new List<Guid>(3);
            for (var s = 0; s < 2 + (int)(i % 2); s++)
            {
                var near = (person + (int)(random.NextDouble() * random.NextDouble() * entities.Length)) % entities.Length;
                picks.Add(drifting && random.Next(3) > 0 ? entities[^(1 + random.Next(2))] : entities[near]);
            }

            var intent = drifting && random.Next(2) == 0 ? labels.Other : labels.Intents[random.Next(labels.Intents.Length)];
            var sentiment = labels.Sentiments[random.Next(labels.Sentiments.Length)];
            var (version, under, status, sentBack, resolved) = Fate(ref intent, at, v2At, night, (v1, v2), labels, random);

            await BenchDatabase.Run(annotation, i, project, taskId, users[person], version, under, (int)status, BenchDatabase.Text(at));
            for (var s = 0; s < picks.Count; s++)
            {
                await BenchDatabase.Run(span, i, BenchDatabase.Text(picks[s]), s * 10);
            }

            await BenchDatabase.Run(answer, i, "intent", BenchDatabase.Text(intent));
            await BenchDatabase.Run(answer, i, "sentiment", BenchDatabase.Text(sentiment));
            if (sentBack)
            {
                await BenchDatabase.Run(relabel, project, taskId, i, users[person], BenchDatabase.Text(v2At), (object?)resolved ?? DBNull.Value);
                relabels++;
            }

            var result = new AnnotationResult(
                [.. picks.Select((p, s) => new SpanValue("entities", p, s * 10, s * 10 + 4))],
                [new AnswerValue("intent", intent), new AnswerValue("sentiment", sentiment)]);
            if (i % 2 == 0 && at < night.AddDays(-30) && random.Next(2) == 0)
            {
                await BenchDatabase.Run(truth, taskId, project, version, result.ToJson(), 0.9, BenchDatabase.Text(at.AddDays(1)));
                truths++;
            }

            if (at < night.AddDays(-20) && at >= night.AddDays(-120) && random.NextDouble() < retestRate)
            {
                await RetestAsync(retest, project, taskId, users[person], i, result, at, person % 20 == 7, labels.Other, random);
                retests++;
            }
        }

        var goldScores = await GoldAsync(connection, transaction, project, users, annotations, (v1, v2, v2At), start, night, random);
        var snapshots = await SnapshotsAsync(connection, transaction, project, users, night, random);
        await transaction.CommitAsync();
        return new Seeded(projectId, (annotations + 1) / 2, goldScores, snapshots, truths, relabels, retests);
    }

    /// <summary>The insert statements of the seed, prepared once (the project-home seed uses them too).</summary>
    internal static (SqliteCommand Task, SqliteCommand Annotation, SqliteCommand Span, SqliteCommand Answer, SqliteCommand Relabel, SqliteCommand Truth, SqliteCommand Retest)
        Prepare(SqliteConnection connection, SqliteTransaction transaction)
    {
            var task = BenchDatabase.Command(connection, transaction, """
                INSERT INTO Tasks (Id, ProjectId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, Agreement, CreatedAt, Version)
                VALUES ($id, $project, $id, $text, 0, $gold, 0, 2, 2, 2, 0, $agreement, $at, 0)
                """, "$id", "$project", "$gold", "$agreement", "$at", "$text");
            var annotation = BenchDatabase.Command(connection, transaction, """
                INSERT INTO Annotations (Id, ProjectId, TaskId, UserId, Round, TaxonomyVersionId, LabeledUnderVersionId, Status, ReviewRequested, Source, LeadTimeMs, CreatedAt, UpdatedAt, SubmittedAt, Version)
                VALUES ($id, $project, $task, $user, 0, $version, $under, $status, 0, 0, 1000, $at, $at, $at, 1)
                """, "$id", "$project", "$task", "$user", "$version", "$under", "$status", "$at");
            var span = BenchDatabase.Command(connection, transaction,
                "INSERT INTO AnnotationSpans (AnnotationId, ControlName, LabelKey, Start, \"End\") VALUES ($a, 'entities', $label, $start, $start + 4)", "$a", "$label", "$start");
            var answer = BenchDatabase.Command(connection, transaction,
                "INSERT INTO AnnotationAnswers (AnnotationId, ControlName, LabelKey) VALUES ($a, $control, $label)", "$a", "$control", "$label");
            var relabel = BenchDatabase.Command(connection, transaction, """
                INSERT INTO RelabelItems (ProjectId, TaskId, AnnotationId, AssignedToUserId, Reason, Context, CreatedAt, ResolvedAt)
                VALUES ($project, $task, $a, $user, 'taxonomy v1 -> v2', '"Refund request" was split', $at, $resolved)
                """, "$project", "$task", "$a", "$user", "$at", "$resolved");
            var truth = BenchDatabase.Command(connection, transaction, """
                INSERT INTO GroundTruths (TaskId, ProjectId, TaxonomyVersionId, ResultJson, Source, ReasonCode, Agreement, DecidedAt, Version)
                VALUES ($task, $project, $version, $json, 0, 0, $agreement, $at, 1)
                """, "$task", "$project", "$version", "$json", "$agreement", "$at");
            var retest = BenchDatabase.Command(connection, transaction, """
                INSERT INTO Retests (ProjectId, TaskId, UserId, OriginalAnnotationId, OriginalResultJson, OriginalSubmittedAt, ServedAt, ExpiresAt, ResultJson, SubmittedAt, Version)
                VALUES ($project, $task, $user, $a, $original, $originalAt, $served, $expires, $result, $submitted, 1)
                """, "$project", "$task", "$user", "$a", "$original", "$originalAt", "$served", "$expires", "$result", "$submitted");
            return (task, annotation, span, answer, relabel, truth, retest);
    }

    /// <summary>
    /// Where a piece of work stands after label set v2 split "Refund request": made after it, it has a part; made before,
    /// seven in ten were sent back and relabeled since (its relabel task resolved), the rest still wait (rejected).
    /// </summary>
    private static (string Version, string Under, AnnotationStatus Status, bool SentBack, string? Resolved) Fate(
        ref Guid intent, DateTime at, DateTime v2At, DateTime night, (string V1, string V2) versions, LabelKeys labels, Random random)
    {
        var (v1, v2) = versions;
        var afterV2 = at >= v2At;
        var status = at < night.AddDays(-30) && random.Next(10) < 4 ? AnnotationStatus.Accepted : AnnotationStatus.Submitted;
        var (version, under) = afterV2 ? (v2, v2) : (v1, v1);
        string? resolved = null;
        var sentBack = false;
        if (intent == labels.Refund)
        {
            if (afterV2)
            {
                intent = labels.RefundParts[random.Next(2)];
            }
            else if (random.Next(10) < 7)
            {
                intent = labels.RefundParts[random.Next(2)];
                (version, under, status, sentBack) = (v2, v2, AnnotationStatus.Submitted, true);
                resolved = BenchDatabase.Text(v2At.AddDays(1 + random.Next(30)));
            }
            else
            {
                (version, status, sentBack) = (v2, AnnotationStatus.Rejected, true);
            }
        }

        return (version, under, status, sentBack, resolved);
    }

    /// <summary>A blind retest of the work: annotators the seed picked answer differently, the others mostly the same.</summary>
    private static async Task RetestAsync(
        SqliteCommand retest, string project, long taskId, string user, long annotationId, AnnotationResult result, DateTime at, bool inconsistent, Guid other, Random random)
    {
        var changed = inconsistent ? random.Next(10) < 8 : random.Next(10) == 0;
        var again = changed
            ? new AnnotationResult([.. result.Spans.Skip(1)], [new AnswerValue("intent", other), result.Answers[1]])
            : result;
        var served = at.AddDays(14 + random.NextDouble() * 5);
        await BenchDatabase.Run(retest, project, taskId, user, annotationId, result.ToJson(), BenchDatabase.Text(at), BenchDatabase.Text(served),
            BenchDatabase.Text(served.AddDays(2)), again.ToJson(), BenchDatabase.Text(served.AddMinutes(3)));
    }

    private sealed record LabelKeys(Guid V2, Guid[] Entities, Guid[] Intents, Guid[] Sentiments, Guid Refund, Guid[] RefundParts, Guid Other);

    /// <summary>v2 as a publish writes it: the labels copied with Product's definition edited and Refund request split, the migration row, the definition history.</summary>
    private static async Task<LabelKeys> LabelSetV2Async(IDbContextFactory<PortalDbContext> factory, Guid projectId, Guid v1Id, DateTime at)
    {
        await using var db = await factory.CreateDbContextAsync();
        var project = await db.Projects.SingleAsync(p => p.Id == projectId);
        project.RelabelAgeDays = RelabelAgeDays;
        var taxonomy = await db.Taxonomies.SingleAsync(t => t.ProjectId == projectId);
        var v1 = await db.TaxonomyVersions.Include(v => v.Controls).Include(v => v.Labels).SingleAsync(v => v.Id == v1Id);
        var v2 = new TaxonomyVersion { Id = Guid.CreateVersion7(), TaxonomyId = taxonomy.Id, Number = 2, PublishedAt = at, PublishedById = v1.PublishedById, Notes = "Product redefined; Refund request split." };
        var controls = v1.Controls.ToDictionary(c => c.Id, c => new TaxonomyControl
        {
            Id = Guid.CreateVersion7(), TaxonomyVersionId = v2.Id, Name = c.Name, Kind = c.Kind, Prompt = c.Prompt, Required = c.Required, SortOrder = c.SortOrder,
        });
        v2.Controls.AddRange(controls.Values);
        var refund = v1.Labels.Single(l => l.Name == "Refund request");
        foreach (var l in v1.Labels.OrderBy(l => l.SortOrder))
        {
            v2.Labels.Add(new Label
            {
                Id = Guid.CreateVersion7(), TaxonomyVersionId = v2.Id, ControlId = controls[l.ControlId].Id, Key = l.Key, ParentKey = l.ParentKey, Name = l.Name,
                Path = l.Path, Color = l.Color, Hotkey = l.Key == refund.Key ? null : l.Hotkey, SortOrder = l.SortOrder, IsDeprecated = l.Key == refund.Key,
                Description = l.Name == "Product" ? "A product or service name with its model; not a brand on its own (that is an Organization)." : l.Description,
            });
        }

        var parts = new[] { "Refund of payment", "Replacement" }.Select((name, i) => new Label
        {
            Id = Guid.CreateVersion7(), TaxonomyVersionId = v2.Id, ControlId = controls[refund.ControlId].Id, Key = Guid.CreateVersion7(), ParentKey = refund.ParentKey,
            Name = name, Path = name, Color = refund.Color, SortOrder = v1.Labels.Count + i,
        }).ToList();
        v2.Labels.AddRange(parts);
        db.TaxonomyVersions.Add(v2);
        db.LabelMigrations.Add(new LabelMigration { FromVersionId = v1.Id, ToVersionId = v2.Id, Kind = LabelChangeKind.Split, FromLabelKey = refund.Key });
        taxonomy.CurrentVersionId = v2.Id;
        db.LabelDefinitionVersions.AddRange(LabelDefinitions.Derive(projectId, [], new[] { v1, v2 }.SelectMany(v => v.Labels.OrderBy(l => l.SortOrder)
            .Select(l => new LabelDefinitions.PublishedLabel(v.Id, v.Number, v.PublishedById, v.PublishedAt, l.Key, new DefinitionText(l.Description, l.Examples, l.CounterExamples))))));
        await db.SaveChangesAsync();

        Guid[] Of(string control) => [.. v1.Labels.Where(l => l.ControlId == v1.Controls.Single(c => c.Name == control).Id).OrderBy(l => l.SortOrder).Select(l => l.Key)];
        return new LabelKeys(v2.Id, Of("entities"), Of("intent"), Of("sentiment"), refund.Key, [.. parts.Select(p => p.Key)], v1.Labels.Single(l => l.Name == "Other").Key);
    }

    /// <summary>Gold tasks spread over the year; every annotator does each one; three annotators score worse in the last 15 days.</summary>
    private static async Task<int> GoldAsync(SqliteConnection connection, SqliteTransaction transaction, string project, string[] users, int annotations,
        (string V1, string V2, DateTime V2At) versions, DateTime start, DateTime night, Random random)
    {
        var (v1, v2, v2At) = versions;
        var goldTasks = Math.Clamp(annotations / 2_740, 30, Days);
        var task = BenchDatabase.Command(connection, transaction, """
            INSERT INTO Tasks (Id, ProjectId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, CreatedAt, Version)
            VALUES ($id, $project, $id, 'Gold: I want my money back for the broken kettle, order 4711.', 0, 1, 0, 100, 0, 100, 1, $at, 0)
            """, "$id", "$project", "$at");
        var annotation = BenchDatabase.Command(connection, transaction, """
            INSERT INTO Annotations (Id, ProjectId, TaskId, UserId, Round, TaxonomyVersionId, Status, ReviewRequested, Source, LeadTimeMs, CreatedAt, UpdatedAt, SubmittedAt, Version)
            VALUES ($id, $project, $task, $user, 0, $version, 1, 0, 0, 1000, $at, $at, $at, 1)
            """, "$id", "$project", "$task", "$user", "$version", "$at");
        var score = BenchDatabase.Command(connection, transaction, """
            INSERT INTO GoldScores (AnnotationId, TaskId, ProjectId, UserId, Score, SpanF1Exact, ChoiceAccuracy, PerLabelJson, ScoredAt)
            VALUES ($a, $task, $project, $user, $score, $score, $score, '{}', $at)
            """, "$a", "$task", "$project", "$user", "$score", "$at");
        var scores = 0;
        long id = annotations;
        for (var g = 0; g < goldTasks; g++)
        {
            var taskId = 10_000_000L + g;
            var day = start.AddDays((double)g * Days / goldTasks);
            await BenchDatabase.Run(task, taskId, project, BenchDatabase.Text(day));
            for (var p = 0; p < users.Length; p++)
            {
                var at = day.AddMinutes(30 + random.Next(600));
                var value = Math.Clamp((p % 33 == 5 && at >= night.AddDays(-15) ? 0.5 : 0.85) + (random.NextDouble() - 0.5) * 0.2, 0, 1);
                await BenchDatabase.Run(annotation, ++id, project, taskId, users[p], at >= v2At ? v2 : v1, BenchDatabase.Text(at));
                await BenchDatabase.Run(score, id, taskId, project, users[p], value, BenchDatabase.Text(at));
                scores++;
            }
        }

        return scores;
    }

    /// <summary>
    /// A year of nightly snapshots as AgreementSnapshotJob writes them: the headline figures per question, per label and per
    /// annotator pair; the entities question's exact span F1 dips in the last 4 days.
    /// </summary>
    internal static async Task<int> SnapshotsAsync(SqliteConnection connection, SqliteTransaction transaction, string project, string[] users, DateTime night, Random random)
    {
        var snapshot = BenchDatabase.Command(connection, transaction, """
            INSERT INTO AgreementSnapshots (ProjectId, Day, Measure, Key, Value, Units, ComputedAt) VALUES ($project, $day, $measure, $key, $value, 1370, $at)
            """, "$project", "$day", "$measure", "$key", "$value", "$at");
        var rows = 0;
        var today = DateOnly.FromDateTime(night);
        for (var d = Days; d >= 1; d--)
        {
            var day = today.AddDays(-d);
            var text = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var at = BenchDatabase.Text(night.AddDays(-d + 1).AddHours(2));
            double Noise(double center) => center + (random.NextDouble() - 0.5) * 0.04;
            var entities = d <= 4 ? Noise(0.66) : Noise(0.82);
            var figures = new List<(string Measure, string Key, double Value)>
            {
                ("spanF1Exact", "control:entities", entities), ("spanF1Overlap", "control:entities", Noise(0.88)), ("alphaUnitizing", "control:entities", Noise(0.78)),
                ("krippendorffAlpha", "control:intent", Noise(0.74)), ("percentAgreement", "control:intent", Noise(0.81)),
                ("krippendorffAlpha", "control:sentiment", Noise(0.70)), ("percentAgreement", "control:sentiment", Noise(0.79)),
            };
            for (var l = 0; l < 11; l++)
            {
                figures.Add(("spanF1Exact", $"control:entities|label:{l}", Noise(0.8)));
                figures.Add(("spanF1Overlap", $"control:entities|label:{l}", Noise(0.86)));
            }

            for (var p = 0; p < 50; p++)
            {
                var pair = $"|pair:{users[p]}|{users[(p * 7 + 1) % users.Length]}";
                figures.Add(("spanF1Exact", "control:entities" + pair, Noise(0.8)));
                figures.Add(("cohenKappa", "control:intent" + pair, Noise(0.72)));
            }

            foreach (var (measure, key, value) in figures)
            {
                await BenchDatabase.Run(snapshot, project, text, measure, key, value, at);
                rows++;
            }
        }

        return rows;
    }
}
