using Portal.Core.Audits;
using Portal.Core.Taxonomy;
using Portal.Web.Audits;
using Portal.Web.Common;

namespace Portal.Web.Components.Audits;

/// <summary>A span or an answer of the audited work that an error can be about; spans first, in the order of the work.</summary>
public sealed record AuditTarget(string Control, Guid Label, int? Start, int? End, string Caption)
{
    public bool IsSpan => Start is not null;

    public static IReadOnlyList<AuditTarget> Of(AuditItem item) =>
    [
        .. item.Result.Spans.Select(s => new AuditTarget(s.Control, s.Label, s.Start, s.End,
            $"{LabelName(item.Controls, s.Control, s.Label)} “{item.Text[Math.Min(s.Start, item.Text.Length)..Math.Min(s.End, item.Text.Length)]}”")),
        .. item.Result.Answers.Select(a => new AuditTarget(a.Control, a.Label, null, null,
            $"{item.Controls.FirstOrDefault(c => c.Name == a.Control)?.Prompt ?? a.Control}: {LabelName(item.Controls, a.Control, a.Label)}")),
    ];

    /// <summary>The error this target gets for a type; a missed span is the selected words, in the first span layer.</summary>
    public static AuditErrorInput Error(AuditErrorType type, AuditTarget? target, (int Start, int End)? words, IReadOnlyList<ControlView> controls) =>
        words is { } w
            ? new AuditErrorInput(type, controls.FirstOrDefault(c => c.Kind == ControlKind.Spans)?.Name, null, w.Start, w.End)
            : target is null
                ? new AuditErrorInput(type)
                : new AuditErrorInput(type, target.Control, target.Label, target.Start, target.End);

    /// <summary>Which error types fit what is selected: words nobody marked are a missed span; only a guideline gap needs nothing.</summary>
    public static bool Allows(AuditErrorType type, AuditTarget? target, bool words) => type switch
    {
        AuditErrorType.GuidelineGap => true,
        AuditErrorType.MissedSpan => words,
        AuditErrorType.WrongLabel => target is not null && !words,
        _ => target is { IsSpan: true } && !words,
    };

    private static string LabelName(IReadOnlyList<ControlView> controls, string control, Guid label) =>
        controls.FirstOrDefault(c => c.Name == control)?.Labels.FirstOrDefault(l => l.Key == label)?.Name ?? "?";
}
