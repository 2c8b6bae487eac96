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
    public static AnnotationResult ResultOf(Annotation a) => new(
        [.. a.Spans.Select(s => new SpanValue(s.ControlName, s.LabelKey, s.Start, s.End))],
        [.. a.Answers.Select(x => new AnswerValue(x.ControlName, x.LabelKey))]);

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
            var control = controls.FirstOrDefault(c => c.Name == answer.Control && c.Kind != ControlKind.Spans);
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

        if (requireComplete)
        {
            // A draft may still hold a label the taxonomy retired; submitted work may not.
            var retired = result.Spans.Select(s => (s.Control, s.Label)).Concat(result.Answers.Select(a => (a.Control, a.Label)))
                .Select(x => controls.FirstOrDefault(c => c.Name == x.Control)?.Labels.FirstOrDefault(l => l.Key == x.Label && l.IsDeprecated))
                .OfType<LabelOption>().DistinctBy(l => l.Key);
            foreach (var label in retired)
            {
                errors.Add(("Labels", $"\"{label.Path}\" is no longer used (the label set changed): give those spans or answers a current label."));
            }

            foreach (var control in controls.Where(c => c.Required && c.Kind != ControlKind.Spans && result.Answers.All(a => a.Control != c.Name)))
            {
                errors.Add((control.Name, $"Answer \"{control.Prompt}\" before submitting."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
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
