using System.Globalization;
using System.Text.Json;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;

namespace Portal.Core.ImportExport;

/// <param name="SourceJson">What Label Studio said that Portal's result does not hold (<see cref="LabelStudioSource"/>), for export.</param>
public sealed record MappedPrediction(string Model, AnnotationResult Result, double? Score = null, string? SourceJson = null);

/// <summary>A Label Studio annotation as a submitted annotation of a portal user.</summary>
public sealed record MappedAnnotation(Guid UserId, AnnotationResult Result, DateTime Created, DateTime Updated, long LeadTimeMs, string? SourceJson = null);

/// <summary>What a read task brings besides its text: predictions, and (as chosen) a ground truth or people's annotations.</summary>
/// <param name="Gold">The task is a gold (check) task: its <paramref name="Truth"/> is the expected answer.</param>
public sealed record MappedTask(IReadOnlyList<MappedPrediction> Predictions, AnnotationResult? Truth, IReadOnlyList<MappedAnnotation> Annotations, bool Gold = false)
{
    public static readonly MappedTask None = new([], null, []);

    /// <summary>The ground truth's Label Studio source (annotation id, region ids, results kept as written).</summary>
    public string? TruthSourceJson { get; init; }

    /// <summary>Things worth a look that did not stop the row (a region whose text differs from the task text at its offsets).</summary>
    public IReadOnlyList<TaskRowError> Warnings { get; init; } = [];

    /// <summary>What became of the row's annotations and regions; null for a row without Label Studio results.</summary>
    public ImportTally? Tally { get; init; }

    /// <summary>Rows for the task follow it (so its id is needed).</summary>
    public bool HasRows => Predictions.Count > 0 || Truth is not null || Annotations.Count > 0;
}

/// <summary>
/// A read task's Label Studio <c>predictions</c> and <c>annotations</c> (or LS 0.x <c>completions</c>) as Portal results:
/// label keys of the project on the masked text, annotations of the people they name. Offsets are Label Studio's code
/// points, turned into Portal's UTF-16 units. <c>textarea</c> results become free-text answers and <c>relation</c>
/// results (whose from_id/to_id name span regions) relations, when the project has such a question. Result types Portal
/// does not model (boxes, per-region text, relations without a relation question, …) are kept verbatim in the source
/// JSON for export. Names it cannot place go to the <see cref="ImportNameResolver"/>; anything
/// else wrong with the row is a <see cref="TaskRowError"/>.
/// </summary>
/// <remarks>
/// Decisions, each counted in the <see cref="ImportTally"/>: an annotation without <c>completed_by</c> belongs to the
/// importing user (what Label Studio's own importer does); in ground-truth mode the annotation flagged
/// <c>ground_truth</c> (else the first) is the truth and the task's other annotations are not imported; a second
/// annotation by the same person on one task is not imported (a person annotates a task once in Portal); cancelled
/// annotations (Label Studio's skips) are not imported.
/// </remarks>
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

        var row = new RowMapper(record, masked, resolver);
        var predictions = row.Predictions(raw, out var problem);
        if (problem is not null)
        {
            error = new TaskRowError(record.Where, record.Line, "predictions", problem);
            return MappedTask.None;
        }

        var annotations = row.AnnotationsOf(raw);
        // A task's "gold": true, or Label Studio's "ground_truth": true on an annotation, makes a gold task (DESIGN: gold
        // tasks are marked from ground truth); the flagged annotation (else, read as ground truth, the first) is the expected answer.
        var flagged = annotations.FindIndex(a => a.TryGetProperty("ground_truth", out var g) && g.ValueKind == JsonValueKind.True);
        var gold = flagged >= 0 || (raw.TryGetProperty("gold", out var goldFlag) && goldFlag.ValueKind == JsonValueKind.True);
        if (annotations.Count == 0)
        {
            if (gold)
            {
                error = new TaskRowError(record.Where, record.Line, "gold", "the task is marked gold but has no annotation to take the expected answer from.");
                return MappedTask.None;
            }

            return row.Finish(new MappedTask(predictions, null, []));
        }

        AnnotationResult? truth = null;
        string? truthSource = null;
        IReadOnlyList<MappedAnnotation> people = [];
        switch (mode)
        {
            case ImportedAnnotations.Refuse:
                problem = $"the task has {annotations.Count} annotation(s); choose what they become (annotations of their people, or ground truth) so none is dropped.";
                break;
            case ImportedAnnotations.GroundTruth:
                var chosen = annotations[Math.Max(0, flagged)];
                (truth, truthSource) = row.Result(chosen, out problem);
                row.Tally.AnnotationsImported++;
                if (annotations.Count > 1)
                {
                    row.Tally.NotImported("annotation(s) besides the one taken as ground truth (import as annotations of their people to keep them)", annotations.Count - 1);
                }

                break;
            default:
                people = row.Annotations(annotations, now, out problem);
                if (problem is null && gold && flagged < 0)
                {
                    problem = "the task is marked gold, but none of its annotations says \"ground_truth\": true, so there is no expected answer.";
                }
                else if (problem is null && gold)
                {
                    (truth, truthSource) = row.Result(annotations[flagged], out problem);
                }

                break;
        }

        if (problem is not null)
        {
            error = new TaskRowError(record.Where, record.Line, "annotations", problem);
            return MappedTask.None;
        }

        return row.Finish(new MappedTask(predictions, truth, people, gold && truth is not null) { TruthSourceJson = truthSource });
    }

    private static DateTime? Date(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String &&
        DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date.UtcDateTime : null;

    /// <summary>What one Label Studio result list became, with its span regions by id for the relations that name them.</summary>
    private sealed class ReadResult
    {
        public List<SpanValue> Spans { get; } = [];

        public List<AnswerValue> Answers { get; } = [];

        public List<TextValue> Texts { get; } = [];

        public List<RelationValue> Relations { get; } = [];

        public Dictionary<string, SpanValue> ByRegion { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>One row's mapping: its text, masking, resolver, warnings and tally.</summary>
    private sealed class RowMapper(TaskRecord record, PiiMasked masked, ImportNameResolver resolver)
    {
        private readonly List<TaskRowError> warnings = [];

        public ImportTally Tally { get; } = new();

        public MappedTask Finish(MappedTask task) => task with { Warnings = warnings, Tally = Tally };

        /// <summary>The task's non-cancelled annotations: Label Studio's "annotations", else 0.x "completions".</summary>
        public List<JsonElement> AnnotationsOf(JsonElement raw)
        {
            if (!raw.TryGetProperty("annotations", out var array) || array.ValueKind != JsonValueKind.Array)
            {
                if (!raw.TryGetProperty("completions", out array) || array.ValueKind != JsonValueKind.Array)
                {
                    return [];
                }

                Tally.Converted("Label Studio 0.x \"completions\" read as annotations", array.GetArrayLength());
            }

            var all = array.EnumerateArray().ToList();
            var kept = all.Where(a => !(a.TryGetProperty("was_cancelled", out var c) && c.ValueKind == JsonValueKind.True)).ToList();
            Tally.AnnotationsRead += all.Count;
            if (kept.Count < all.Count)
            {
                Tally.NotImported("cancelled (skipped) annotation(s)", all.Count - kept.Count);
            }

            return kept;
        }

        public List<MappedPrediction> Predictions(JsonElement raw, out string? problem)
        {
            problem = null;
            var predictions = new List<MappedPrediction>();
            if (raw.TryGetProperty("predictions", out var predictionArray) && predictionArray.ValueKind == JsonValueKind.Array)
            {
                foreach (var prediction in predictionArray.EnumerateArray())
                {
                    Tally.PredictionsRead++;
                    var model = prediction.TryGetProperty("model_version", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "imported";
                    double? score = prediction.TryGetProperty("score", out var sc) && sc.ValueKind == JsonValueKind.Number && sc.TryGetDouble(out var value) ? value : null;
                    var (result, source) = Result(prediction, out problem);
                    if (problem is not null)
                    {
                        return [];
                    }

                    Tally.PredictionsImported++;
                    predictions.Add(new MappedPrediction(model, result, score, source));
                }
            }

            return predictions;
        }

        public List<MappedAnnotation> Annotations(List<JsonElement> annotations, DateTime now, out string? problem)
        {
            problem = null;
            var imported = new List<MappedAnnotation>();
            foreach (var annotation in annotations)
            {
                var who = LabelStudioReader.Annotator(annotation);
                var userId = who is { Length: > 0 } ? resolver.Annotator(who) : resolver.ImportingUser;
                var (result, source) = Result(annotation, out problem);
                if (problem is not null)
                {
                    return [];
                }

                if (userId is not { } user)
                {
                    continue;
                }

                if (who is not { Length: > 0 })
                {
                    Tally.Converted("annotation(s) without completed_by given to the importing user (as Label Studio does)");
                }

                if (imported.Any(a => a.UserId == user))
                {
                    Tally.NotImported("second annotation(s) by the same person on one task (a person annotates a task once in Portal)");
                    continue;
                }

                var created = Date(annotation, "created_at") ?? now;
                var leadTime = annotation.TryGetProperty("lead_time", out var lt) && lt.ValueKind == JsonValueKind.Number && lt.TryGetDouble(out var seconds) && seconds is >= 0 and < 1e9 ? (long)(seconds * 1000) : 0;
                Tally.AnnotationsImported++;
                imported.Add(new MappedAnnotation(user, result, created, Date(annotation, "updated_at") ?? created, leadTime, source));
            }

            return imported;
        }

        /// <summary>A Label Studio "result" list, mapped to this project's label keys, with what Portal keeps of it only as written.</summary>
        public (AnnotationResult Result, string? SourceJson) Result(JsonElement item, out string? problem)
        {
            problem = null;
            var read = new ReadResult();
            var source = new LabelStudioSourceBuilder(item);
            if (!item.TryGetProperty("result", out var results) || results.ValueKind != JsonValueKind.Array)
            {
                return (AnnotationResult.Empty, source.ToJson());
            }

            var relations = new List<JsonElement>();
            foreach (var region in results.EnumerateArray())
            {
                Tally.RegionsRead++;
                if (Type(region) == "relation" && resolver.FirstOf(ControlKind.Relations) is not null)
                {
                    // After every region: a relation may come before the spans it joins.
                    relations.Add(region);
                    continue;
                }

                problem = Region(region, read, source);
                if (problem is not null)
                {
                    return (AnnotationResult.Empty, null);
                }
            }

            foreach (var relation in relations)
            {
                Relation(relation, read, source);
            }

            return (new AnnotationResult([.. read.Spans.Distinct()], [.. read.Answers.Distinct()]) { Texts = read.Texts, Relations = [.. read.Relations.Distinct()] }, source.ToJson());
        }

        private static string Type(JsonElement region) => region.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";

        private void KeepVerbatim(JsonElement region, LabelStudioSourceBuilder source, string why)
        {
            source.Keep(region);
            Tally.RegionsKeptVerbatim++;
            Tally.NotImported(why);
        }

        /// <summary>A relation between two span regions of this result, when the project has a relation question.</summary>
        private void Relation(JsonElement region, ReadResult read, LabelStudioSourceBuilder source)
        {
            var question = resolver.FirstOf(ControlKind.Relations);
            string? Id(string name) => region.TryGetProperty(name, out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number ? id.ToString() : null;
            if (question is null)
            {
                KeepVerbatim(region, source, "\"relation\" result(s) (the project has no relation question; kept as written for export)");
                return;
            }

            if (Id("from_id") is not { } from || Id("to_id") is not { } to || !read.ByRegion.TryGetValue(from, out var a) || !read.ByRegion.TryGetValue(to, out var b) || a == b)
            {
                KeepVerbatim(region, source, "\"relation\" result(s) joining regions that are not spans in Portal (kept as written for export)");
                return;
            }

            // Portal's relation has one type: Label Studio's several labels on one link become one relation each.
            var direction = region.TryGetProperty("direction", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : "right";
            var (start, end) = direction == "left" ? (b, a) : (a, b);
            var labels = region.TryGetProperty("labels", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
            if (direction == "bi")
            {
                Tally.Converted("two-way (\"bi\") relation(s) read as one-way, from the first region to the second");
            }

            if (labels.Count == 0)
            {
                read.Relations.Add(new RelationValue(question.Name, start, end, null));
            }

            foreach (var name in labels)
            {
                if (resolver.Label(question, name) is { } key)
                {
                    read.Relations.Add(new RelationValue(question.Name, start, end, key));
                }
            }

            Tally.RegionsImported++;
        }

        /// <summary>A textarea result as the free-text answer of the question of its name; several entries are joined by line breaks.</summary>
        private void FreeText(JsonElement region, string from, ReadResult read, LabelStudioSourceBuilder source)
        {
            var question = resolver.Optional(from, ControlKind.FreeText);
            var value = region.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
            if (question is null || value.ValueKind != JsonValueKind.Object || value.TryGetProperty("start", out _) || read.Texts.Any(t => t.Control == question.Name))
            {
                KeepVerbatim(region, source, question is null
                    ? "\"textarea\" result(s) (the project has no free-text question of that name; kept as written for export)"
                    : "per-region or repeated \"textarea\" result(s) (kept as written for export)");
                return;
            }

            var entries = value.TryGetProperty("text", out var text) ? text.ValueKind switch
            {
                JsonValueKind.Array => text.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList(),
                JsonValueKind.String => [text.GetString()!],
                _ => [],
            } : [];
            if (entries.Count > 1)
            {
                Tally.Converted("textarea result(s) with several entries joined into one answer, one entry a line");
            }

            var joined = string.Join("\n", entries);
            if (joined.Length > AnnotationResult.MaxTextLength)
            {
                KeepVerbatim(region, source, $"\"textarea\" result(s) longer than {AnnotationResult.MaxTextLength:N0} characters (kept as written for export)");
                return;
            }

            read.Texts.Add(new TextValue(question.Name, joined));
            source.Region(LabelStudioSource.TextKey(question.Name), region);
            Tally.RegionsImported++;
        }

        /// <summary>One region into <paramref name="read"/> or kept as written; returns what is wrong with it, if anything.</summary>
        private string? Region(JsonElement region, ReadResult read, LabelStudioSourceBuilder source)
        {
            var (spans, answers) = (read.Spans, read.Answers);
            var from = region.TryGetProperty("from_name", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
            var type = Type(region);
            if (type == "textarea")
            {
                FreeText(region, from, read, source);
                return null;
            }

            if (type is not ("labels" or "choices"))
            {
                // Boxes, ratings…: kept as written so they go back out on export, never a reason to refuse the task.
                KeepVerbatim(region, source, $"\"{(type.Length == 0 ? "untyped" : type)}\" result(s) (not shown in Portal, kept as written for export)");
                return null;
            }

            if (!region.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
            {
                return $"a result of \"{from}\" has no value.";
            }

            if (resolver.Question(from, type) is not { } control)
            {
                return null;
            }

            if (type == "labels" ? control.Kind != ControlKind.Spans : !control.Kind.IsChoice())
            {
                return $"\"{from}\" holds {type} in the file, but the project's question \"{control.Prompt}\" takes {KindWords(control.Kind)}.";
            }

            var names = value.TryGetProperty(type, out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : x.ToString()).ToList()
                : [];
            (int Start, int End)? at = null;
            if (type == "labels" && names.Count > 0)
            {
                at = Offsets(value, region, out var problem);
                if (problem is not null)
                {
                    return problem;
                }
            }

            var placed = false;
            foreach (var name in names)
            {
                if (resolver.Label(control, name) is not { } key)
                {
                    continue;
                }

                placed = true;
                if (type != "labels")
                {
                    answers.Add(new AnswerValue(control.Name, key));
                    source.Region(LabelStudioSource.ChoiceKey(control.Name), region);
                    continue;
                }

                var (newStart, newEnd) = masked.Map(at!.Value.Start, at.Value.End);
                var span = new SpanValue(control.Name, key, newStart, newEnd);
                spans.Add(span);
                source.Region(LabelStudioSource.SpanKey(span), region);
                if (region.TryGetProperty("id", out var rid) && rid.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                {
                    read.ByRegion.TryAdd(rid.ToString(), span);
                }
            }

            Tally.RegionsImported += placed ? 1 : 0;
            return null;
        }

        /// <summary>A span's code-point offsets as UTF-16 ones in the original text; warns when value.text says otherwise.</summary>
        private (int Start, int End)? Offsets(JsonElement value, JsonElement region, out string? problem)
        {
            problem = null;
            var text = record.Text;
            var start = value.TryGetProperty("start", out var s) && s.TryGetInt32(out var si) ? si : -1;
            var end = value.TryGetProperty("end", out var e) && e.TryGetInt32(out var ei) ? ei : -1;
            if (CodePoints.SpanToUtf16(text, start, end) is not { } at)
            {
                problem = $"a span [{start}, {end}) is outside the text (its length is {CodePoints.Length(text)} characters).";
                return null;
            }

            if (at != (start, end))
            {
                Tally.Converted("span offset(s) from Unicode code points to Portal's UTF-16 units");
            }

            if (value.TryGetProperty("text", out var said) && said.ValueKind == JsonValueKind.String && said.GetString() is { } quoted &&
                !text.AsSpan(at.Start, at.End - at.Start).SequenceEqual(quoted))
            {
                var id = region.TryGetProperty("id", out var rid) ? rid.ToString() : "(no id)";
                warnings.Add(new TaskRowError(record.Where, record.Line, $"region {id}",
                    $"task {record.ExternalId ?? "(no id)"}, region {id}: its text \"{Clip(quoted)}\" is not what the task text holds at [{start}, {end}) " +
                    $"(\"{Clip(text[at.Start..at.End])}\"); imported at the offsets given."));
            }

            return at;
        }

        private static string KindWords(ControlKind kind) => kind switch
        {
            ControlKind.Spans => "spans",
            ControlKind.FreeText => "written answers",
            ControlKind.Relations => "relations",
            _ => "choices",
        };

        private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
    }
}
