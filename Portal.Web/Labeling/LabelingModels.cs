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

    /// <summary>Set when someone asked for this work to be labeled again: why (shown in a banner).</summary>
    public RelabelRequest? Relabel { get; init; }

    /// <summary>
    /// Set when this work is a blind retest: its saves, submit and skip go to that retest, never to the annotation. The
    /// page keeps it on the server; nothing of it is rendered, so the retest looks like any new task.
    /// </summary>
    public long? RetestId { get; init; }
}

/// <summary>A relabel asked of this annotator: the short reason and the longer explanation.</summary>
public sealed record RelabelRequest(long ItemId, string Reason, string? Context);

public sealed record LabelingProgress(int MineToday, int ProjectCompleted, int ProjectTotal);

/// <summary>One row of "My history": <see cref="LastActionAt"/> is the person's own last change; <see cref="ChangedSince"/>
/// when something else (a label-set update, a review) changed the annotation after it.</summary>
public sealed record HistoryEntry(long TaskId, string Snippet, AnnotationStatus Status, DateTime LastActionAt, bool CanReopen, string? SkipReason, bool ChangedSince);

/// <summary>One revision as people read it: who, when, why, and what changed (label names and the marked text).</summary>
public sealed record RevisionView(
    int Number, DateTime ChangedAt, string ChangedBy, RevisionReason Reason, AnnotationStatus Status, string? Note,
    IReadOnlyList<string> Added, IReadOnlyList<string> Removed);
