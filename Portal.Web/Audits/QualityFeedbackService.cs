using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;

namespace Portal.Web.Audits;

/// <summary>One error a QA lead found in the annotator's work: its type, the label and text concerned, and the note.</summary>
public sealed record ErrorFeedback(AuditErrorType Type, string? Label, string? SpanText, string? Note);

/// <summary>A QA lead's verdict on one of the annotator's own annotations.</summary>
/// <param name="SentBack">The QA lead sent it back: the annotator fixes it on the labeling page.</param>
public sealed record AuditFeedback(
    long TaskId, string Snippet, AuditOutcome Outcome, DateTime ReviewedAt, string? Note, bool Fixed, bool SentBack, IReadOnlyList<ErrorFeedback> Errors);

/// <summary>A scored gold task with the answer that was expected, shown only when the project allows gold feedback.</summary>
public sealed record GoldResult(long TaskId, DateTime ScoredAt, double Score, IReadOnlyList<string> Expected);

/// <param name="GoldShown">
/// The project shows "this was a check task" feedback. When it does not, <paramref name="Gold"/> is empty and an annotator
/// sees only their aggregate gold score, never which tasks were gold.
/// </param>
public sealed record MyFeedback(IReadOnlyList<AuditFeedback> Audits, bool GoldShown, IReadOnlyList<GoldResult> Gold);

/// <summary>The audit and gold feedback on the caller's own work in a project; nobody reads another person's here.</summary>
public sealed class QualityFeedbackService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access)
{
    public const int Limit = 100;
    private const int SnippetLength = 140;

    public async Task<MyFeedback> MineAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var samples = await db.AuditSamples.AsNoTracking()
            .Where(s => s.ProjectId == projectId && s.AnnotatorId == user.UserId && s.Outcome != AuditOutcome.Waiting && s.ReviewedAt != null)
            .OrderByDescending(s => s.ReviewedAt).Take(Limit)
            .Select(s => new { s.TaskId, s.Outcome, ReviewedAt = s.ReviewedAt!.Value, s.Note, s.Fixed, s.SentBack, s.Errors })
            .ToListAsync(ct);
        var showGold = await db.Projects.Where(p => p.Id == projectId).Select(p => p.ShowGoldFeedback).SingleAsync(ct);
        var gold = showGold
            ? await (from g in db.GoldScores
                     join a in db.GoldAnswers on g.TaskId equals a.TaskId
                     where g.ProjectId == projectId && g.UserId == user.UserId
                     orderby g.ScoredAt descending
                     select new { g.TaskId, g.ScoredAt, g.Score, a.ResultJson }).Take(Limit).ToListAsync(ct)
            : [];

        var taskIds = samples.Select(s => s.TaskId).Concat(gold.Select(g => g.TaskId)).Distinct().ToList();
        var texts = await db.Tasks.AsNoTracking().Where(t => taskIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Text, ct);
        var expected = gold.ToDictionary(g => g.TaskId, g => AnnotationResult.FromJson(g.ResultJson));
        var keys = samples.SelectMany(s => s.Errors).Where(e => e.LabelKey != null).Select(e => e.LabelKey!.Value)
            .Concat(expected.Values.SelectMany(r => r.Spans.Select(s => s.Label).Concat(r.Answers.Select(a => a.Label)))).Distinct().ToList();
        var names = (await db.Labels.AsNoTracking().Where(l => keys.Contains(l.Key)).Select(l => new { l.Key, l.Name }).ToListAsync(ct))
            .GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Last().Name);
        string LabelName(Guid key) => names.GetValueOrDefault(key, "a label no longer in use");

        var audits = samples.Select(s =>
        {
            var text = texts.GetValueOrDefault(s.TaskId, "");
            return new AuditFeedback(s.TaskId, Snippet(text), s.Outcome, s.ReviewedAt, s.Note, s.Fixed, s.SentBack,
                [.. s.Errors.OrderBy(e => e.Start).Select(e => new ErrorFeedback(e.ErrorType, e.LabelKey is { } k ? LabelName(k) : null, SpanText(text, e.Start, e.End), e.Note))]);
        }).ToList();
        var golds = gold.Select(g => new GoldResult(g.TaskId, g.ScoredAt, g.Score,
            Expected(expected[g.TaskId], texts.GetValueOrDefault(g.TaskId, ""), LabelName))).ToList();
        return new MyFeedback(audits, showGold, golds);
    }

    private static string Snippet(string text) => text.Length <= SnippetLength ? text : text[..SnippetLength] + "…";

    private static string? SpanText(string text, int? start, int? end) =>
        start is { } s && end is { } e && s >= 0 && e <= text.Length && s < e ? text[s..e] : null;

    /// <summary>The expected answer in words: "Person: “Maria Schneider”" per span, "intent: Order status" per answer.</summary>
    private static List<string> Expected(AnnotationResult answer, string text, Func<Guid, string> name) =>
    [
        .. answer.Spans.OrderBy(s => s.Start).Select(s => $"{name(s.Label)}: “{SpanText(text, s.Start, s.End) ?? "?"}”"),
        .. answer.Answers.Select(a => $"{a.Control}: {name(a.Label)}"),
    ];
}
