using Microsoft.EntityFrameworkCore;
using Portal.Core.Agreement;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Bulk;
using Portal.Data.Entities;
using Portal.Web.Common;
using Portal.Core.Audits;
using Portal.Web.Jobs;

namespace Portal.Web.Agreement;

/// <summary>
/// Nightly agreement snapshots per project, computed by the agreement engine (Portal.Core) from submitted and
/// accepted annotations: per span control exact and overlap F1 (overall, per label, per annotator pair) and
/// unitizing alpha; per choice control Krippendorff's alpha with a bootstrap interval, percent agreement and
/// pairwise Cohen's kappa. A rerun for the same day replaces that day's rows in one transaction (idempotent).
/// Keys name the slice with stable ids: "control:NAME", "|label:LABELKEY", "|pair:USERID|USERID". Each night also
/// stores the label mix of the day before it (<see cref="LabelCounts"/>), and every annotator pair's shared tasks with
/// their scores (<see cref="PairScoreSet"/>) for the quality dashboard's pair list.
/// </summary>
public sealed class AgreementSnapshotJob(IDbContextFactory<PortalDbContext> factory, LabelSetCache labelSets, TimeProvider clock, ILogger<AgreementSnapshotJob> logger) : IRecurringJob
{
    public async Task RunAsync(CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        List<Guid> projects;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            projects = await db.Projects.Where(p => !p.IsArchived).Select(p => p.Id).ToListAsync(ct);
        }

        foreach (var project in projects)
        {
            await SnapshotAsync(project, day, ct);
        }
    }

    public async Task<int> SnapshotAsync(Guid projectId, DateOnly day, CancellationToken ct)
    {
        var work = await ReadAsync(projectId, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var lengths = await db.Tasks.AsNoTracking().Where(t => t.ProjectId == projectId).Select(t => new { t.Id, t.Text.Length })
            .ToDictionaryAsync(t => t.Id, t => t.Length, ct);

        var annotators = work.Annotations.Select(a => a.UserId.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = new List<AgreementSnapshot>();
        void Add(string measure, string key, double? value, int units, double? low = null, double? high = null) =>
            rows.Add(new AgreementSnapshot
            {
                ProjectId = projectId, Day = day, TaxonomyVersionId = work.VersionId, Measure = measure, Key = key,
                Value = value is { } v && double.IsFinite(v) ? v : null, Low = low, High = high, Units = units, ComputedAt = now,
            });

        var figures = new Figures(annotators, work.ByTask, lengths, work.Current, Add);
        // Free text and relations are carried, not measured (docs/decisions/0021).
        foreach (var control in work.Controls.Where(c => c.Kind.IsScored()))
        {
            if (control.Kind == ControlKind.Spans)
            {
                figures.Spans(control.Name, a => work.Spans[a].Where(s => s.Control == control.Name).Select(s => (s.Start, s.End, s.Label)));
            }
            else
            {
                figures.Choices(control.Name, a => work.Answers[a].Where(x => x.Control == control.Name).Select(x => x.Label));
            }
        }

        foreach (var (key, count) in await LabelCounts.ForNightAsync(db, projectId, day, now, ct))
        {
            Add(LabelCounts.Measure, key, count, count);
        }

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.AgreementSnapshots.Where(s => s.ProjectId == projectId && s.Day == day).ExecuteDeleteAsync(ct);
            db.AgreementSnapshots.AddRange(rows);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        logger.LogInformation("Agreement snapshot of project {Project} for {Day}: {Rows} figures.", projectId, day, rows.Count);
        await WritePairScoresAsync(db, projectId, work, ct);
        return rows.Count;
    }

    /// <summary>
    /// Scores every task each annotator pair both submitted and stores them per pair (<see cref="PairScoreSet"/>), for the
    /// quality dashboard's pair list; the nightly run does it after the figures. Returns how many pairs were stored.
    /// </summary>
    public async Task<int> PairScoresAsync(Guid projectId, CancellationToken ct)
    {
        var work = await ReadAsync(projectId, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await WritePairScoresAsync(db, projectId, work, ct);
    }

    private async Task<int> WritePairScoresAsync(PortalDbContext db, Guid projectId, Work work, CancellationToken ct)
    {
        var pairs = new Dictionary<(Guid, Guid), List<(long TaskId, double Score)>>();
        if (work.VersionId is { } versionId)
        {
            var questions = PairScoring.Questions(work.Controls);
            foreach (var task in work.ByTask.Where(t => t.Count() > 1))
            {
                // In the order the snapshot keys use, so a pair is one set whoever submitted first.
                var results = task.OrderBy(a => a.UserId.ToString(), StringComparer.Ordinal)
                    .Select(a => (a.UserId, Result: PairScoring.InCurrentLabels(work.Spans[a.Id], work.Answers[a.Id], work.ToCurrent(work.VersionOf[a.Id])))).ToList();
                for (var i = 0; i < results.Count; i++)
                {
                    for (var j = i + 1; j < results.Count; j++)
                    {
                        var key = (results[i].UserId, results[j].UserId);
                        if (!pairs.TryGetValue(key, out var scores))
                        {
                            pairs[key] = scores = [];
                        }

                        scores.Add((task.Key, GoldScoring.TaskScore(results[i].Result, results[j].Result, questions)));
                    }
                }
            }

            foreach (var ((first, second), scores) in pairs)
            {
                await PairScoreWriter.ReplaceAsync(db, new PairScoreSet
                {
                    ProjectId = projectId, UserA = first, UserB = second, TaxonomyVersionId = versionId, ComputedAt = work.ReadAt, MaxAnnotationId = work.MaxAnnotationId,
                }, scores, ct);
            }
        }

        await PairScoreWriter.RemoveOlderAsync(db, projectId, work.ReadAt, ct);
        logger.LogInformation("Pair scores of project {Project}: {Pairs} pairs, {Tasks} scored shared tasks.", projectId, pairs.Count, pairs.Values.Sum(p => p.Count));
        return pairs.Count;
    }

    /// <summary>The project's submitted and accepted round-one work outside gold tasks, with its spans and answers.</summary>
    private async Task<Work> ReadAsync(Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        // Taken before the reads: work changed at or after them is scored again when a pair list is read.
        var readAt = clock.GetUtcNow().UtcDateTime;
        var maxAnnotationId = await db.Annotations.MaxAsync(a => (long?)a.Id, ct) ?? 0;
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleOrDefaultAsync(ct);
        var controls = versionId is { } id ? await labelSets.GetAsync(db, id, ct) : [];
        var submitted = db.Annotations.AsNoTracking()
            .Where(a => a.ProjectId == projectId && a.Round == 0 && (a.Status == AnnotationStatus.Submitted || a.Status == AnnotationStatus.Accepted))
            // Work on gold tasks is scored against the expected answer, not compared between annotators.
            .Where(a => !db.Tasks.Any(t => t.Id == a.TaskId && t.IsGold));
        var annotations = await submitted.Select(a => new Submitted(a.Id, a.TaskId, a.UserId, a.TaxonomyVersionId)).ToListAsync(ct);
        // Work made under an older label set is compared through the migration map (merged labels count as their target).
        var toCurrent = await Taxonomy.TaxonomyMaps.ToCurrentAsync(db, projectId, annotations.Select(a => a.TaxonomyVersionId), ct);
        var spans = (await db.AnnotationSpans.AsNoTracking()
                .Where(s => submitted.Any(a => a.Id == s.AnnotationId))
                .Select(s => new { s.AnnotationId, s.ControlName, s.LabelKey, s.Start, s.End }).ToListAsync(ct))
            .ToLookup(s => s.AnnotationId, s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End));
        var answers = (await db.AnnotationAnswers.AsNoTracking()
                .Where(s => submitted.Any(a => a.Id == s.AnnotationId))
                .Select(s => new { s.AnnotationId, s.ControlName, s.LabelKey }).ToListAsync(ct))
            .ToLookup(s => s.AnnotationId, s => new AnswerValue(s.ControlName, s.LabelKey));
        return new Work(readAt, maxAnnotationId, versionId, controls, annotations, spans, answers, toCurrent);
    }

    private sealed record Submitted(long Id, long TaskId, Guid UserId, Guid TaxonomyVersionId);

    private sealed record Work(
        DateTime ReadAt, long MaxAnnotationId, Guid? VersionId, IReadOnlyList<ControlView> Controls, List<Submitted> Annotations,
        ILookup<long, SpanValue> Spans, ILookup<long, AnswerValue> Answers, Func<Guid, LabelMigrationMap> ToCurrent)
    {
        public Dictionary<long, Guid> VersionOf { get; } = Annotations.ToDictionary(a => a.Id, a => a.TaxonomyVersionId);

        public List<IGrouping<long, (long Id, Guid UserId)>> ByTask { get; } =
            [.. Annotations.GroupBy(a => a.TaskId, a => (a.Id, a.UserId)).OrderBy(g => g.Key)];

        public string Current(long annotationId, Guid key) => ToCurrent(VersionOf[annotationId]).Resolve(key).Key.ToString();
    }

    /// <summary>The figures of one control, from the annotations of the snapshot grouped by task.</summary>
    private sealed class Figures(
        List<string> annotators, List<IGrouping<long, (long Id, Guid UserId)>> byTask, Dictionary<long, int> lengths, Func<long, Guid, string> current,
        Action<string, string, double?, int, double?, double?> add)
    {
        public void Spans(string control, Func<long, IEnumerable<(int Start, int End, Guid Label)>> spansOf)
        {
            var key = $"control:{control}";
            var study = new SpanStudy(annotators);
            foreach (var task in byTask)
            {
                var perAnnotator = new IReadOnlyList<(int, int, string)>?[annotators.Count];
                foreach (var a in task)
                {
                    perAnnotator[Index(a.UserId)] = [.. spansOf(a.Id).Select(s => (s.Start, s.End, current(a.Id, s.Label)))];
                }

                study.AddTask(task.Key.ToString(), lengths[task.Key], perAnnotator);
            }

            foreach (var (measure, result) in new[] { ("spanF1Exact", SpanAgreement.ExactF1(study)), ("spanF1Overlap", SpanAgreement.OverlapF1(study, AgreementReport.OverlapIouThreshold)) })
            {
                add(measure, key, result.Mean, study.Tasks.Count, null, null);
                foreach (var (label, f1) in result.PerLabel)
                {
                    add(measure, $"{key}|label:{label}", f1, study.Tasks.Count, null, null);
                }

                foreach (var pair in result.Pairs)
                {
                    add(measure, $"{key}|pair:{pair.A}|{pair.B}", pair.F1, study.Tasks.Count, null, null);
                }
            }

            // alpha_U needs every coder on the whole continuum; in a project each annotator sees part of it, so pairs.
            var (alphaU, pairedTasks) = UnitizingAlpha.PairwiseForStudy(study);
            add("alphaUnitizing", key, alphaU, pairedTasks, null, null);
        }

        public void Choices(string control, Func<long, IEnumerable<Guid>> answersOf)
        {
            var key = $"control:{control}";
            var builder = new ReliabilityDataBuilder(annotators);
            var values = new string?[annotators.Count];
            foreach (var task in byTask)
            {
                Array.Clear(values);
                foreach (var a in task)
                {
                    var chosen = answersOf(a.Id).Select(label => current(a.Id, label)).Distinct().Order(StringComparer.Ordinal).ToList();
                    values[Index(a.UserId)] = chosen.Count == 0 ? null : string.Join("|", chosen);
                }

                builder.AddUnit(values.AsSpan());
            }

            var data = builder.Build();
            var alpha = CodingAgreement.KrippendorffAlpha(data, MeasurementLevel.Nominal);
            var interval = Bootstrap.KrippendorffAlpha(data, MeasurementLevel.Nominal, iterations: 500);
            add("krippendorffAlpha", key, alpha.Alpha, data.UnitCount, interval.Low, interval.High);
            add("percentAgreement", key, CodingAgreement.PercentAgreement(data), data.UnitCount, null, null);
            foreach (var pair in CodingAgreement.Pairwise(data))
            {
                add("cohenKappa", $"{key}|pair:{pair.A}|{pair.B}", pair.CohenKappa, pair.N, null, null);
            }
        }

        private int Index(Guid user) => annotators.BinarySearch(user.ToString(), StringComparer.Ordinal);
    }
}
