using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Review;

namespace Portal.Web.Review;

public enum QueueOrder
{
    OldestFirst = 0,
    LowestAgreementFirst = 1,
}

public sealed record PastReview(DateTime At, string Reviewer, ReviewDecision Decision, string? Comment);

/// <summary>One submitted annotation as its reviewer sees it.</summary>
public sealed record ReviewItem(
    Guid ProjectId, long AnnotationId, long TaskId, string Text, IReadOnlyList<ControlView> Controls, AnnotationResult Result, int Version,
    Guid AnnotatorId, string Annotator, DateTime? SubmittedAt, double? TaskAgreement, IReadOnlyList<PastReview> PastReviews, string? ReviewerInstructions);

/// <summary>One annotator's work on a task under adjudication; with anonymized adjudication only a letter names them.</summary>
public sealed record AdjudicationAnnotator(string Key, string Name, Guid? UserId, AnnotationResult Result);

public sealed record AdjudicationItem(
    Guid ProjectId, long TaskId, string Text, IReadOnlyList<ControlView> Controls, IReadOnlyList<AdjudicationAnnotator> Annotators,
    MergedView Merged, double? Agreement, double VoteThreshold, bool Anonymous, int TaskVersion, string? ReviewerInstructions);

public sealed record TaskEventView(DateTime At, TaskEventKind Kind, string? Actor, double? Agreement, string Detail);

public sealed record GroundTruthView(
    AnnotationResult Result, GroundTruthSource Source, string? Rule, string? DecidedBy, DateTime DecidedAt, IReadOnlyList<string> Agreeing,
    double? Agreement, AuditErrorType Reason, string? Note);

public sealed record TaskAnnotationView(long AnnotationId, Guid AnnotatorId, string Annotator, AnnotationStatus Status, DateTime? SubmittedAt, AnnotationResult Result);

/// <summary>A task as QA leads see it: its ground truth with provenance, how it got there, and everyone's annotations.</summary>
public sealed record TaskDetail(
    Guid ProjectId, long TaskId, string Text, TaskState State, double? Agreement, IReadOnlyList<ControlView> Controls,
    GroundTruthView? GroundTruth, IReadOnlyList<TaskEventView> Events, IReadOnlyList<TaskAnnotationView> Annotations);
