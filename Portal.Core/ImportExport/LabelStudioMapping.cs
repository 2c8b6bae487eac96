using System.Globalization;
using System.Text.Json;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;

namespace Portal.Core.ImportExport;

public sealed record MappedPrediction(string Model, AnnotationResult Result);

/// <summary>A Label Studio annotation as a submitted annotation of a portal user.</summary>
public sealed record MappedAnnotation(Guid UserId, AnnotationResult Result, DateTime Created, DateTime Updated, long LeadTimeMs);

/// <summary>What a read task brings besides its text: predictions, and (as chosen) a ground truth or people's annotations.</summary>
/// <param name="Gold">The task is a gold (check) task: its <paramref name="Truth"/> is the expected answer.</param>
public sealed record MappedTask(IReadOnlyList<MappedPrediction> Predictions, AnnotationResult? Truth, IReadOnlyList<MappedAnnotation> Annotations, bool Gold = false)
{
    public static readonly MappedTask None = new([], null, []);

    /// <summary>Rows for the task follow it (so its id is needed).</summary>
    public bool HasRows => Predictions.Count > 0 || Truth is not null || Annotations.Count > 0;
}

/// <summary>
/// A read task's Label Studio <c>predictions</c> and <c>annotations</c> as Portal results: label keys of the project
/// on the masked text, annotations of the people they name. Names it cannot place go to the
/// <see cref="ImportNameResolver"/>; anything else wrong with the row is a <see cref="TaskRowError"/>.
/// </summary>
public static class LabelStudioMapping
{
    public static MappedTask Map(TaskRecord record, PiiMasked masked, ImportNameResolver resolver, ImportedAnnotations mode, DateTime now, out TaskRowError? error)
    {
        error = null;
        resolver.StartRow();
        if (record.Raw is not { } raw)
        {
            return MappedTask.None;
        }

        var predictions = Predictions(raw, resolver, masked, record.Text.Length, out var problem);
        if (problem is not null)
        {
            error = new TaskRowError(record.Where, record.Line, "predictions", problem);
            return MappedTask.None;
        }

        var annotations = raw.TryGetProperty("annotations", out var annotationArray) && annotationArray.ValueKind == JsonValueKind.Array
            ? annotationArray.EnumerateArray().Where(a => !(a.TryGetProperty("was_cancelled", out var c) && c.ValueKind == JsonValueKind.True)).ToList()
            : [];
        // A task's "gold": true, or Label Studio's "ground_truth": true on an annotation, makes a gold task; the flagged
        // annotation (else, for a gold task read as ground truth, the first) is the expected answer.
        var flagged = annotations.FindIndex(a => a.TryGetProperty("ground_truth", out var g) && g.ValueKind == JsonValueKind.True);
        var gold = flagged >= 0 || (raw.TryGetProperty("gold", out var goldFlag) && goldFlag.ValueKind == JsonValueKind.True);
        if (annotations.Count == 0)
        {
            if (gold)
            {
                error = new TaskRowError(record.Where, record.Line, "gold", "the task is marked gold but has no annotation to take the expected answer from.");
                return MappedTask.None;
            }

            return new MappedTask(predictions, null, []);
        }

        AnnotationResult? truth = null;
        IReadOnlyList<MappedAnnotation> people = [];
        switch (mode)
        {
            case ImportedAnnotations.Refuse:
                problem = $"the task has {annotations.Count} annotation(s); choose what they become (annotations of their people, or ground truth) so none is dropped.";
                break;
            case ImportedAnnotations.GroundTruth:
                truth = Result(annotations[Math.Max(0, flagged)], resolver, masked, record.Text.Length, out problem);
                break;
            default:
                people = Annotations(annotations, resolver, masked, record.Text.Length, now, out problem);
                if (problem is null && gold && flagged < 0)
                {
                    problem = "the task is marked gold, but none of its annotations says \"ground_truth\": true, so there is no expected answer.";
                }
                else if (problem is null && gold)
                {
                    truth = Result(annotations[flagged], resolver, masked, record.Text.Length, out problem);
                }

                break;
        }

        if (problem is not null)
        {
            error = new TaskRowError(record.Where, record.Line, "annotations", problem);
            return MappedTask.None;
        }

        return new MappedTask(predictions, truth, people, gold && truth is not null);
    }

    private static List<MappedPrediction> Predictions(JsonElement raw, ImportNameResolver resolver, PiiMasked masked, int textLength, out string? problem)
    {
        problem = null;
        var predictions = new List<MappedPrediction>();
        if (raw.TryGetProperty("predictions", out var predictionArray) && predictionArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var prediction in predictionArray.EnumerateArray())
            {
                var model = prediction.TryGetProperty("model_version", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "imported";
                var result = Result(prediction, resolver, masked, textLength, out problem);
                if (problem is not null)
                {
                    return [];
                }

                predictions.Add(new MappedPrediction(model, result));
            }
        }

        return predictions;
    }

    private static List<MappedAnnotation> Annotations(
        List<JsonElement> annotations, ImportNameResolver resolver, PiiMasked masked, int textLength, DateTime now, out string? problem)
    {
        problem = null;
        var imported = new List<MappedAnnotation>();
        foreach (var annotation in annotations)
        {
            var who = LabelStudioReader.Annotator(annotation);
            if (who is not { Length: > 0 })
            {
                problem = "an annotation has no completed_by (an e-mail or a user id).";
                return [];
            }

            var userId = resolver.Annotator(who);
            var result = Result(annotation, resolver, masked, textLength, out problem);
            if (problem is not null)
            {
                return [];
            }

            if (userId is not { } user)
            {
                continue;
            }

            if (imported.Any(a => a.UserId == user))
            {
                problem = $"{who} has two annotations on this task; a person annotates a task once.";
                return [];
            }

            var created = Date(annotation, "created_at") ?? now;
            var leadTime = annotation.TryGetProperty("lead_time", out var lt) && lt.TryGetDouble(out var seconds) && seconds is >= 0 and < 1e9 ? (long)(seconds * 1000) : 0;
            imported.Add(new MappedAnnotation(user, result, created, Date(annotation, "updated_at") ?? created, leadTime));
        }

        return imported;
    }

    private static DateTime? Date(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String &&
        DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.UtcDateTime : null;

    /// <summary>A Label Studio "result" list, mapped to this project's label keys; names it cannot place go to the resolver.</summary>
    private static AnnotationResult Result(JsonElement item, ImportNameResolver resolver, PiiMasked masked, int textLength, out string? problem)
    {
        problem = null;
        var spans = new List<SpanValue>();
        var answers = new List<AnswerValue>();
        if (!item.TryGetProperty("result", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            return new AnnotationResult(spans, answers);
        }

        foreach (var region in results.EnumerateArray())
        {
            problem = Region(region, resolver, masked, textLength, spans, answers);
            if (problem is not null)
            {
                return AnnotationResult.Empty;
            }
        }

        return new AnnotationResult([.. spans.Distinct()], [.. answers.Distinct()]);
    }

    /// <summary>One region of a result into <paramref name="spans"/> or <paramref name="answers"/>; returns what is wrong with it, if anything.</summary>
    private static string? Region(JsonElement region, ImportNameResolver resolver, PiiMasked masked, int textLength, List<SpanValue> spans, List<AnswerValue> answers)
    {
        var from = region.TryGetProperty("from_name", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
        var type = region.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        if (type is not ("labels" or "choices"))
        {
            return $"a result of type \"{type}\" (question \"{from}\"); only text spans (labels) and choices can be imported.";
        }

        if (!region.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
        {
            return $"a result of \"{from}\" has no value.";
        }

        if (resolver.Question(from, type) is not { } control)
        {
            return null;
        }

        if ((type == "labels") != (control.Kind == ControlKind.Spans))
        {
            return $"\"{from}\" holds {type} in the file, but the project's question \"{control.Prompt}\" takes {(control.Kind == ControlKind.Spans ? "spans" : "choices")}.";
        }

        var names = value.TryGetProperty(type, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : x.ToString()).ToList()
            : [];
        foreach (var name in names)
        {
            if (resolver.Label(control, name) is not { } key)
            {
                continue;
            }

            if (type != "labels")
            {
                answers.Add(new AnswerValue(control.Name, key));
                continue;
            }

            var start = value.TryGetProperty("start", out var s) && s.TryGetInt32(out var si) ? si : -1;
            var end = value.TryGetProperty("end", out var e) && e.TryGetInt32(out var ei) ? ei : -1;
            if (start < 0 || end > textLength || end <= start)
            {
                return $"a span [{start}, {end}) is outside the text.";
            }

            var (newStart, newEnd) = masked.Map(start, end);
            spans.Add(new SpanValue(control.Name, key, newStart, newEnd));
        }

        return null;
    }
}
