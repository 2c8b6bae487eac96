using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Common;

/// <summary>
/// Writing an annotation the one way every feature does (labeling, review fixes): validated against its label set,
/// its spans and answers replaced, and a numbered revision appended to its history.
/// </summary>
internal static class AnnotationStore
{
    /// <summary>
    /// The spans and answers of an annotation (its rows), without free text and relations: what agreement, gold scores
    /// and drift measure. To show or write an annotation back, use <see cref="ResultsOfAsync"/>.
    /// </summary>
    public static AnnotationResult ScoredPartOf(Annotation a) => new(
        [.. a.Spans.Select(s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End))],
        [.. a.Answers.Select(x => new AnswerValue(x.ControlName, x.LabelKey))]);

    /// <summary>
    /// Whole results (spans and answers from their rows, free text and relations from the latest revision, which
    /// <see cref="Record"/> always writes with the full result) by annotation id.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, AnnotationResult>> ResultsOfAsync(PortalDbContext db, IReadOnlyCollection<Annotation> annotations, CancellationToken ct)
    {
        var snapshots = await SnapshotsWithExtrasAsync(db, [.. annotations.Where(a => a.Id != 0).Select(a => a.Id)], ct);
        return annotations.ToDictionary(a => a.Id, a => WithExtras(ScoredPartOf(a), snapshots.GetValueOrDefault(a.Id)));
    }

    /// <summary>
    /// The latest revision's result of those annotations whose latest revision has free text or relations (one query;
    /// the rest need nothing beyond their rows).
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, AnnotationResult>> SnapshotsWithExtrasAsync(PortalDbContext db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<long, AnnotationResult>();
        }

        // One JSON array parameter: callers pass a whole project's annotations (taxonomy publish, exports), more ids than
        // SQL Server's 2,100 or SQLite's 32,766 parameters that EF 10 would otherwise use, one per id.
        var latest = await db.AnnotationRevisions.AsNoTracking()
            .Where(r => EF.Parameter(ids).Contains(r.AnnotationId) && (r.ResultJson.Contains("\"texts\"") || r.ResultJson.Contains("\"relations\"")) &&
                r.Number == db.AnnotationRevisions.Where(x => x.AnnotationId == r.AnnotationId).Max(x => x.Number))
            .Select(r => new { r.AnnotationId, r.ResultJson })
            .ToListAsync(ct);
        return latest.ToDictionary(r => r.AnnotationId, r => AnnotationResult.FromJson(r.ResultJson));
    }

    /// <summary>An annotation's rows with the free text and relations of its latest snapshot.</summary>
    public static AnnotationResult WithExtras(AnnotationResult rows, AnnotationResult? snapshot)
    {
        if (snapshot is null)
        {
            return rows;
        }

        // Relations whose spans are gone from the rows are not shown as dangling links.
        var spans = rows.Spans.ToHashSet();
        return rows with { Texts = snapshot.Texts, Relations = [.. snapshot.Relations.Where(r => spans.Contains(r.From) && spans.Contains(r.To))] };
    }

    public static async Task<AnnotationResult> ResultOfAsync(PortalDbContext db, Annotation annotation, CancellationToken ct) =>
        (await ResultsOfAsync(db, [annotation], ct))[annotation.Id];

    public static void Validate(string text, IReadOnlyList<ControlView> controls, AnnotationResult result, bool requireComplete)
    {
        var errors = new List<(string, string)>();
        foreach (var span in result.Spans)
        {
            var control = controls.FirstOrDefault(c => c.Name == span.Control && c.Kind == ControlKind.Spans);
            if (control is null || control.Labels.All(l => l.Key != span.Label))
            {
                errors.Add(("Spans", $"A span uses a label that is not in this project's label set (control \"{span.Control}\")."));
            }
            else if (span.Start < 0 || span.End > text.Length || span.End <= span.Start)
            {
                errors.Add(("Spans", $"The span [{span.Start}, {span.End}) is outside the text."));
            }
        }

        foreach (var answer in result.Answers)
        {
            var control = controls.FirstOrDefault(c => c.Name == answer.Control && c.Kind.IsChoice());
            if (control is null || control.Labels.All(l => l.Key != answer.Label))
            {
                errors.Add((answer.Control, $"An answer to \"{answer.Control}\" is not one of its choices."));
            }
        }

        foreach (var control in controls.Where(c => c.Kind is ControlKind.SingleChoice or ControlKind.HierarchicalChoice))
        {
            if (result.Answers.Count(a => a.Control == control.Name) > 1)
            {
                errors.Add((control.Name, $"\"{control.Prompt}\" takes one answer."));
            }
        }

        ValidateTexts(controls, result, errors);
        ValidateRelations(controls, result, errors);

        if (requireComplete)
        {
            // A draft may still hold a label the taxonomy retired; submitted work may not.
            var retired = result.Spans.Select(s => (s.Control, s.Label)).Concat(result.Answers.Select(a => (a.Control, a.Label)))
                .Concat(result.Relations.Where(r => r.Label is not null).Select(r => (r.Control, Label: r.Label!.Value)))
                .Select(x => controls.FirstOrDefault(c => c.Name == x.Control)?.Labels.FirstOrDefault(l => l.Key == x.Label && l.IsDeprecated))
                .OfType<LabelOption>().DistinctBy(l => l.Key);
            foreach (var label in retired)
            {
                errors.Add(("Labels", $"\"{label.Path}\" is no longer used (the label set changed): give those spans or answers a current label."));
            }

            foreach (var control in controls.Where(c => c.Required && c.Kind.IsChoice() && result.Answers.All(a => a.Control != c.Name)))
            {
                errors.Add((control.Name, $"Answer \"{control.Prompt}\" before submitting."));
            }

            foreach (var control in controls.Where(c => c.Required && c.Kind == ControlKind.FreeText && result.Texts.All(t => t.Control != c.Name || string.IsNullOrWhiteSpace(t.Text))))
            {
                errors.Add((control.Name, $"Write an answer to \"{control.Prompt}\" before submitting."));
            }

            foreach (var control in controls.Where(c => c.Required && c.Kind == ControlKind.Relations && result.Relations.All(r => r.Control != c.Name)))
            {
                errors.Add((control.Name, $"Draw at least one link for \"{control.Prompt}\" before submitting."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }

    private static void ValidateTexts(IReadOnlyList<ControlView> controls, AnnotationResult result, List<(string, string)> errors)
    {
        foreach (var group in result.Texts.GroupBy(t => t.Control))
        {
            var control = controls.FirstOrDefault(c => c.Name == group.Key && c.Kind == ControlKind.FreeText);
            if (control is null)
            {
                errors.Add((group.Key, $"\"{group.Key}\" is not a free-text question of this project's label set."));
            }
            else if (group.Count() > 1)
            {
                errors.Add((group.Key, $"\"{control.Prompt}\" takes one written answer."));
            }
            else if (group.First().Text.Length > AnnotationResult.MaxTextLength)
            {
                errors.Add((group.Key, $"The answer to \"{control.Prompt}\" has {group.First().Text.Length:N0} characters; at most {AnnotationResult.MaxTextLength:N0} are kept."));
            }
        }
    }

    private static void ValidateRelations(IReadOnlyList<ControlView> controls, AnnotationResult result, List<(string, string)> errors)
    {
        var spans = result.Spans.ToHashSet();
        foreach (var relation in result.Relations)
        {
            var control = controls.FirstOrDefault(c => c.Name == relation.Control && c.Kind == ControlKind.Relations);
            if (control is null)
            {
                errors.Add(("Relations", $"\"{relation.Control}\" is not a relation question of this project's label set."));
            }
            else if (!spans.Contains(relation.From) || !spans.Contains(relation.To))
            {
                errors.Add(("Relations", $"A link of \"{control.Prompt}\" joins a span that is not in this annotation; a link joins two of its spans."));
            }
            else if (relation.From == relation.To)
            {
                errors.Add(("Relations", $"A link of \"{control.Prompt}\" joins a span to itself; pick two different spans."));
            }
            else if (relation.Label is { } type && control.Labels.All(l => l.Key != type))
            {
                errors.Add(("Relations", $"A link of \"{control.Prompt}\" has a relation type that is not one of its types."));
            }
        }

        foreach (var twice in result.Relations.GroupBy(r => r).Where(g => g.Count() > 1))
        {
            errors.Add(("Relations", "The same link is drawn twice; remove one."));
        }
    }

    public static void Record(PortalDbContext db, Annotation annotation, Guid changedBy, DateTime now, AnnotationResult result, RevisionReason reason, string? note = null)
    {
        db.AnnotationSpans.RemoveRange(annotation.Spans);
        db.AnnotationAnswers.RemoveRange(annotation.Answers);
        annotation.Spans = [.. result.Spans.Select(s => new AnnotationSpan { ControlName = s.Control, LabelKey = s.Label, Start = s.Start, End = s.End })];
        annotation.Answers = [.. result.Answers.Select(a => new AnnotationAnswer { ControlName = a.Control, LabelKey = a.Label })];
        // Make sure an unchanged annotation row still gets its version bumped (the revision is the change).
        if (db.Entry(annotation).State == EntityState.Unchanged)
        {
            db.Entry(annotation).State = EntityState.Modified;
        }

        db.AnnotationRevisions.Add(new AnnotationRevision
        {
            Annotation = annotation, ChangedAt = now, ChangedById = changedBy, Reason = reason,
            Status = annotation.Status, TaxonomyVersionId = annotation.TaxonomyVersionId, ResultJson = result.ToJson(), Note = note,
            Number = 0,
        });
    }

    /// <summary>
    /// Returns work to its annotator with a comment (a review rejection, an audit send-back): their queue serves rejected
    /// work before new tasks, oldest first, and shows the comment; the fix goes back to review.
    /// </summary>
    public static void SendBack(Annotation annotation, string comment, DateTime now)
    {
        annotation.Status = AnnotationStatus.Rejected;
        annotation.ReviewComment = comment;
        annotation.ReviewRequested = false;
        annotation.UpdatedAt = now;
    }

    public static async Task SaveAsync(PortalDbContext db, CancellationToken ct)
    {
        // Revision numbers continue the annotation's history.
        foreach (var revision in db.ChangeTracker.Entries<AnnotationRevision>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
        {
            var annotation = revision.Annotation!;
            var last = annotation.Id == 0 ? 0 : await db.AnnotationRevisions.Where(r => r.AnnotationId == annotation.Id).MaxAsync(r => (int?)r.Number, ct) ?? 0;
            revision.Number = last + 1;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("This task was changed in another tab or window at the same moment. Reload it to continue from the latest version.");
        }
        catch (DbUpdateException ex) when (ex.InnerException?.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new ConflictException("This task was saved from another tab at the same moment. Reload it to continue from the latest version.");
        }
    }
}
