namespace Portal.Core.Taxonomy;

/// <summary>A control is one question of the labeling interface (Label Studio's <c>from_name</c>).</summary>
public enum ControlKind
{
    Spans = 1,
    SingleChoice = 2,
    MultipleChoice = 3,
    HierarchicalChoice = 4,

    /// <summary>A written answer (Label Studio's TextArea); the question has no labels.</summary>
    FreeText = 5,

    /// <summary>Links between two spans of the same result; the labels are the relation types (e.g. "refers to").</summary>
    Relations = 6,
}

public static class ControlKinds
{
    /// <summary>A question answered by picking labels (single, multiple or hierarchical choice).</summary>
    public static bool IsChoice(this ControlKind kind) =>
        kind is ControlKind.SingleChoice or ControlKind.MultipleChoice or ControlKind.HierarchicalChoice;

    /// <summary>Agreement, consensus votes, drift and gold scores measure spans and choices; free text and relations are carried, not scored.</summary>
    public static bool IsScored(this ControlKind kind) => kind == ControlKind.Spans || kind.IsChoice();

    /// <summary>Whether the question has labels (a free-text question has none; a relation question's are its relation types).</summary>
    public static bool HasLabels(this ControlKind kind) => kind != ControlKind.FreeText;
}

public enum LabelChangeKind
{
    Add = 1,
    Rename = 2,
    Move = 3,
    Merge = 4,
    Split = 5,
    Deprecate = 6,
}
