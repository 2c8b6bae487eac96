using Portal.Core.Audits;
using Portal.Core.Labeling;

namespace Portal.Web.Audits;

/// <summary>
/// One error a QA lead found: its type and what it concerns: a span (control, label, start, end), an answer (control,
/// label), or the item as a whole (a guideline gap). For a missed span the span is the one that should have been there.
/// </summary>
public sealed record AuditErrorInput(AuditErrorType Type, string? Control = null, Guid? Label = null, int? Start = null, int? End = null, string? Note = null);

/// <summary>
/// A verdict on an audited item: <see cref="AuditOutcome.Correct"/>, or <see cref="AuditOutcome.HasErrors"/> with its errors.
/// <paramref name="Fix"/>, when given, becomes the annotation's result (a revision by the QA lead); <paramref name="SendBack"/>
/// returns the work to its annotator with <paramref name="Note"/> as the comment.
/// </summary>
public sealed record AuditVerdictInput(
    AuditOutcome Verdict, IReadOnlyList<AuditErrorInput> Errors, string? Note = null, AnnotationResult? Fix = null, bool SendBack = false)
{
    public static AuditVerdictInput Correct(string? note = null) => new(AuditOutcome.Correct, [], note);

    public static AuditVerdictInput WithErrors(params AuditErrorInput[] errors) => new(AuditOutcome.HasErrors, errors);
}

/// <summary>
/// One sampled annotation as the QA lead audits it: the work as its annotator left it when it was sampled, with the
/// labels of the set it was made under; only this annotator's work on the task, and only a letter for them when the
/// project anonymizes.
/// </summary>
/// <param name="Version">The annotation's version now: a verdict on a later one is a conflict.</param>
/// <param name="ChangedSinceSampled">The annotation changed after it was sampled (the item shows the sampled revision).</param>
public sealed record AuditItem(
    Guid ProjectId, long SampleId, long AnnotationId, long TaskId, string Text, IReadOnlyList<ControlView> Controls, AnnotationResult Result,
    int Version, bool ChangedSinceSampled, string RunKey, DateTime RunCreatedAt, string Stratum, string? StratumLabel, AnnotationSource Source,
    string Annotator, bool Anonymous, DateTime? SubmittedAt, int? GuidelinesNumber, string? GuidelinesMarkdown,
    AuditOutcome Outcome, IReadOnlyList<AuditErrorInput> Errors, string? Note, bool Fixed, bool SentBack);

/// <summary>What each error type means, for QA leads without training (the names are <see cref="Review.Reasons"/>, shared with adjudication).</summary>
public static class AuditErrorHints
{
    public static string Of(AuditErrorType type) => type switch
    {
        AuditErrorType.WrongLabel => "the span or answer has the wrong label",
        AuditErrorType.Boundary => "the span starts or ends in the wrong place",
        AuditErrorType.MissedSpan => "something should have been marked and was not",
        AuditErrorType.SpuriousSpan => "this span should not be there at all",
        AuditErrorType.GuidelineGap => "the guidelines do not say what is right here",
        _ => "",
    };
}
