using System.Text.Json;
using Portal.Core.Labeling;

namespace Portal.Core.ImportExport;

/// <summary>An annotation a task already has: its person, Label Studio id (raw JSON; null when it has none) and result.</summary>
public sealed record ExistingAnnotation(Guid UserId, string? LabelStudioId, string ResultJson);

/// <summary>A prediction a task already has.</summary>
public sealed record ExistingPrediction(string Model, string? LabelStudioId, string ResultJson);

/// <summary>What a task already in the project holds, as a re-import compares against it.</summary>
/// <param name="TruthResultJson">Its ground truth's result; null when it has none.</param>
public sealed record ExistingTask(
    long Id, bool Deleted, bool IsGold, IReadOnlyList<ExistingAnnotation> Annotations, string? TruthResultJson, string? TruthLabelStudioId,
    IReadOnlyList<ExistingPrediction> Predictions);

/// <summary>
/// A re-import of a task the project already has (found by Label Studio task id, else external id, else content hash):
/// what of the row's annotations, ground truth and predictions the task does not have yet. Idempotent: an annotation
/// already there (the same Label Studio annotation id, or the same person with the same result) is not added twice, and
/// a person who already annotated the task keeps their annotation. Everything not added is moved in the
/// <see cref="ImportTally"/> from imported to not imported, with its reason.
/// </summary>
public static class ExistingTaskMerge
{
    public const string AlreadyThere = "annotation(s) already on the task in Portal (a re-import adds nothing twice)";
    public const string PersonAlreadyAnnotated = "annotation(s) by a person who already annotated the task in Portal (their annotation there is kept)";
    public const string TaskDeleted = "annotation(s) for a task deleted in Portal";
    public const string TruthAlreadyThere = "annotation(s) taken as ground truth for a task that already has one (the ground truth there is kept)";
    public const string PredictionAlreadyThere = "prediction(s) already on the task in Portal";
    public const string GoldNotChanged = "gold mark(s) for tasks already in the project (a re-import does not make a task gold; mark it on the task page)";

    /// <summary>
    /// What to add to <paramref name="task"/> from the row <paramref name="incoming"/> (null when nothing), and the task as
    /// it will be once added, for a later row of the same task.
    /// </summary>
    public static (MappedTask? Added, ExistingTask After) Merge(MappedTask incoming, ExistingTask task, ImportedAnnotations mode, ImportTally tally)
    {
        if (task.Deleted)
        {
            Drop(tally, TaskDeleted, incoming.Annotations.Count + (mode == ImportedAnnotations.GroundTruth && incoming.Truth is not null ? 1 : 0));
            if (incoming.Predictions.Count > 0)
            {
                tally.PredictionsImported -= incoming.Predictions.Count;
                tally.NotImported("prediction(s) for a task deleted in Portal", incoming.Predictions.Count);
            }

            return (null, task);
        }

        var predictions = new List<MappedPrediction>();
        var knownPredictions = task.Predictions.ToList();
        foreach (var prediction in incoming.Predictions)
        {
            var id = LabelStudioId(prediction.SourceJson);
            var json = prediction.Result.ToJson();
            if (knownPredictions.Any(p => (id is not null && p.LabelStudioId == id) || (p.Model == prediction.Model && p.ResultJson == json)))
            {
                tally.PredictionsImported--;
                tally.NotImported(PredictionAlreadyThere);
                continue;
            }

            predictions.Add(prediction);
            knownPredictions.Add(new ExistingPrediction(prediction.Model, id, json));
        }

        var (truth, truthJson) = Truth(incoming, task, mode, tally);
        var annotations = new List<MappedAnnotation>();
        var known = task.Annotations.ToList();
        foreach (var annotation in incoming.Annotations)
        {
            var id = LabelStudioId(annotation.SourceJson);
            var json = annotation.Result.ToJson();
            var reason = Reason(known, task, annotation.UserId, id, json, incoming.Truth?.ToJson());
            if (reason is not null)
            {
                Drop(tally, reason);
                continue;
            }

            annotations.Add(annotation);
            known.Add(new ExistingAnnotation(annotation.UserId, id, json));
        }

        tally.AnnotationsAddedToExistingTasks += annotations.Count;
        var after = task with
        {
            Annotations = known, Predictions = knownPredictions,
            TruthResultJson = truthJson ?? task.TruthResultJson, TruthLabelStudioId = truth is null ? task.TruthLabelStudioId : LabelStudioId(incoming.TruthSourceJson),
        };
        if (predictions.Count + annotations.Count == 0 && truth is null)
        {
            return (null, after);
        }

        tally.ExistingTasksAddedTo++;
        return (new MappedTask(predictions, truth, annotations) { TruthSourceJson = incoming.TruthSourceJson }, after);
    }

    /// <summary>The Label Studio id kept in a <see cref="LabelStudioSource"/> JSON, as raw JSON (so 7 and "7" differ); null when none.</summary>
    public static string? LabelStudioId(string? sourceJson)
    {
        if (sourceJson is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(sourceJson);
        return document.RootElement.TryGetProperty("id", out var id) ? id.GetRawText() : null;
    }

    /// <summary>Why an annotation is not added; null to add it.</summary>
    /// <param name="truthJson">The row's ground truth: an annotation equal to it and to the task's own is that ground truth coming back (Portal's export writes it as a ground_truth annotation).</param>
    private static string? Reason(List<ExistingAnnotation> known, ExistingTask task, Guid userId, string? id, string json, string? truthJson)
    {
        if ((id is not null && (known.Any(a => a.LabelStudioId == id) || task.TruthLabelStudioId == id)) || (json == truthJson && json == task.TruthResultJson))
        {
            return AlreadyThere;
        }

        if (known.FirstOrDefault(a => a.UserId == userId) is { } mine)
        {
            return mine.ResultJson == json ? AlreadyThere : PersonAlreadyAnnotated;
        }

        return null;
    }

    /// <summary>The row's ground truth when the task has none yet (a gold mark is never added to an existing task).</summary>
    private static (AnnotationResult? Truth, string? Json) Truth(MappedTask incoming, ExistingTask task, ImportedAnnotations mode, ImportTally tally)
    {
        if (incoming.Truth is not { } truth)
        {
            return (null, null);
        }

        if (incoming.Gold && !task.IsGold)
        {
            tally.NotImported(GoldNotChanged);
        }

        if (task.TruthResultJson is null)
        {
            if (mode == ImportedAnnotations.GroundTruth)
            {
                tally.AnnotationsAddedToExistingTasks++;
            }

            return (truth, truth.ToJson());
        }

        // In ground-truth mode the truth is the row's one imported annotation; otherwise it is one of the people's, counted with them.
        if (mode == ImportedAnnotations.GroundTruth)
        {
            Drop(tally, task.TruthResultJson == truth.ToJson() ? AlreadyThere : TruthAlreadyThere);
        }

        return (null, null);
    }

    private static void Drop(ImportTally tally, string reason, long count = 1)
    {
        if (count > 0)
        {
            tally.AnnotationsImported -= count;
            tally.NotImported(reason, count);
        }
    }
}
