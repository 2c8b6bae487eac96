using System.Globalization;
using Portal.Core.Labeling;

namespace Portal.Web.Tasks;

/// <summary>The task browser's words for a business reader.</summary>
public static class TaskWords
{
    public static string State(TaskState state) => state switch
    {
        TaskState.Open => "Being labeled",
        TaskState.Completed => "Labeled, awaiting consensus",
        TaskState.InReview => "In review",
        TaskState.Adjudication => "Waiting for adjudication",
        TaskState.Done => "Done",
        _ => state.ToString(),
    };

    public static string Agreement(double? agreement) => agreement is { } a ? a.ToString("0.00", CultureInfo.InvariantCulture) : "not yet";
}

/// <summary>One active filter as a chip: what it says, and the filter without it (its close button).</summary>
public sealed record TaskFilterChip(string Text, TaskFilter Without)
{
    public static List<TaskFilterChip> All(TaskFilter f, TaskBrowserChoices choices)
    {
        string Name(IReadOnlyList<TaskChoice> list, Guid id) => list.FirstOrDefault(c => c.Id == id)?.Name ?? "an unknown one";
        var chips = new List<TaskFilterChip>();
        void Add(bool on, string text, TaskFilter without)
        {
            if (on)
            {
                chips.Add(new TaskFilterChip(text, without));
            }
        }

        Add(f.Text is not null, $"Text has “{f.Text}”", f with { Text = null });
        Add(f.State is not null, $"Where it is: {(f.State is { } s ? TaskWords.State(s) : "")}", f with { State = null });
        Add(f.LabelKey is not null, $"Label: {(f.LabelKey is { } l ? Name(choices.Labels, l) : "")}", f with { LabelKey = null });
        Add(f.AnnotatorId is not null, $"Labeled by {(f.AnnotatorId is { } a ? Name(choices.Annotators, a) : "")}", f with { AnnotatorId = null });
        Add(f.AgreementMin is not null, $"Agreement at least {TaskWords.Agreement(f.AgreementMin)}", f with { AgreementMin = null });
        Add(f.AgreementMax is not null, $"Agreement at most {TaskWords.Agreement(f.AgreementMax)}", f with { AgreementMax = null });
        Add(f.Gold is not null, f.Gold == true ? "Gold tasks" : "Not gold", f with { Gold = null });
        Add(f.HasGroundTruth is not null, f.HasGroundTruth == true ? "Ground truth decided" : "No ground truth yet", f with { HasGroundTruth = null });
        Add(f.InReview is not null, f.InReview == true ? "Waits for review" : "Not in review", f with { InReview = null });
        Add(f.ImportJobId is not null, $"Imported in {(f.ImportJobId is { } j ? Name(choices.Imports, j) : "")}", f with { ImportJobId = null });
        Add(f.MetadataField is not null, $"{f.MetadataField} = “{f.MetadataValue}”", f with { MetadataField = null, MetadataValue = null });
        Add(f.Deleted, "Deleted tasks", f with { Deleted = false });
        return chips;
    }
}
