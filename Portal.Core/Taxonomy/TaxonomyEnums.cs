namespace Portal.Core.Taxonomy;

/// <summary>A control is one question of the labeling interface (Label Studio's <c>from_name</c>).</summary>
public enum ControlKind
{
    Spans = 1,
    SingleChoice = 2,
    MultipleChoice = 3,
    HierarchicalChoice = 4,
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
