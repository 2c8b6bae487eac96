using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Web.Common;

namespace Portal.Web.Labeling;

public sealed record Guidelines(int Number, string Markdown);

/// <summary>What the labeling page needs for one task: the text, the label set and the user's own draft (blind: nobody else's).</summary>
public sealed record WorkItem(
    Guid ProjectId, long TaskId, string Text, Guid TaxonomyVersionId, IReadOnlyList<ControlView> Controls,
    AnnotationResult Draft, int Version, DateTime ReservedUntil)
{
    /// <summary>Pre-annotations (model or rules) not yet in the draft, offered to accept or reject.</summary>
    public IReadOnlyList<SpanValue> Suggestions { get; init; } = [];

    public string? SuggestedBy { get; init; }

    /// <summary>Set when a reviewer sent this work back: what to fix.</summary>
    public string? ReviewComment { get; init; }
}

public sealed record LabelingProgress(int MineToday, int MineTotal, int ProjectCompleted, int ProjectTotal);

public sealed record HistoryEntry(long TaskId, string Snippet, AnnotationStatus Status, DateTime UpdatedAt, bool CanReopen, string? SkipReason);

/// <summary>One revision as people read it: who, when, why, and what changed (label names and the marked text).</summary>
public sealed record RevisionView(
    int Number, DateTime ChangedAt, string ChangedBy, RevisionReason Reason, AnnotationStatus Status, string? Note,
    IReadOnlyList<string> Added, IReadOnlyList<string> Removed);
