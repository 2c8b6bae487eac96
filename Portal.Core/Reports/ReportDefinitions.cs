namespace Portal.Core.Reports;

/// <summary>The sheets a report can hold; QA leads (Reviewer role) get the quality sheets, managers all of them.</summary>
public enum ReportPart
{
    Summary = 1,
    Progress = 2,
    Annotators = 3,
    Agreement = 4,
    Audits = 5,
    Drift = 6,
    GuidelineGaps = 7,
    Detail = 8,
}

public static class ReportDefinitions
{
    public static readonly IReadOnlyList<ReportPart> All = Enum.GetValues<ReportPart>();

    /// <summary>The sheets a QA lead may have: quality figures, no progress or item-level detail.</summary>
    public static readonly IReadOnlySet<ReportPart> Quality = new HashSet<ReportPart> { ReportPart.Annotators, ReportPart.Agreement, ReportPart.Audits, ReportPart.Drift, ReportPart.GuidelineGaps };

    /// <summary>Fewer items than this and a figure says "too few" instead of a number.</summary>
    public const int MinItems = 5;

    public static string Title(ReportPart part) => part switch
    {
        ReportPart.GuidelineGaps => "Guideline gaps",
        _ => part.ToString(),
    };

    /// <summary>Every figure of the workbook, in words, for the About sheet.</summary>
    public static readonly IReadOnlyList<(string Figure, string Meaning)> Figures =
    [
        ("Done", "Tasks complete: all their annotations are in, or they moved on to review, adjudication or done. Gold tasks count as done."),
        ("Remaining", "Published tasks that are not done."),
        ("Submitted", "Annotations submitted in the period (skips not counted)."),
        ("Throughput", "Submitted annotations per calendar day of the period."),
        ("Agreement", "The nightly agreement snapshot: Krippendorff's alpha (nominal) for choice questions, exact-match span F1 for span questions, averaged over the questions; the trend shows each day's value."),
        ("Pairwise agreement", "Cohen's kappa (choices) or exact span F1 (spans) between two annotators on the tasks both labelled, from the latest snapshot in the period."),
        ("Audit error rate", "Audited items found with errors among audited items, with its Wilson 95 % interval."),
        ("Gold score", "How an annotator's answers on gold tasks match the gold answer (span F1 and answer accuracy), 0 to 100 %."),
        ("Agreement with consensus", "An annotator's work compared with the ground truth of the same tasks."),
        ("Open drift findings", "Drift findings open or acknowledged at the time the report was made."),
        ("Too few items", $"A figure resting on fewer than {MinItems} items is shown empty with this note instead of a number."),
    ];
}
