using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Web.Common;

namespace Portal.Web.Agreement;

/// <summary>
/// How a task two annotators both submitted is scored for their pair, the same way in the nightly sets
/// (<see cref="AgreementSnapshotJob"/>) and in the live re-score of work changed since (the quality dashboard's pair
/// list): both results in today's labels through the migration map, then <see cref="GoldScoring.TaskScore"/>.
/// </summary>
public static class PairScoring
{
    /// <summary>The questions a pair is scored on: written answers and relations are not (docs/decisions/0021-relations-free-text.md).</summary>
    public static List<(string Name, bool IsSpans)> Questions(IEnumerable<ControlView> controls) =>
        [.. controls.Where(c => c.Kind.IsScored()).Select(c => (c.Name, c.Kind == ControlKind.Spans))];

    public static AnnotationResult InCurrentLabels(IEnumerable<SpanValue> spans, IEnumerable<AnswerValue> answers, LabelMigrationMap map) =>
        new([.. spans.Select(s => s with { Label = map.Resolve(s.Label).Key })], [.. answers.Select(x => x with { Label = map.Resolve(x.Label).Key })]);

    /// <summary>A pair in the order the snapshot keys and the stored sets use: ordinal order of the ids as text.</summary>
    public static (Guid First, Guid Second) Ordered(Guid a, Guid b) =>
        string.CompareOrdinal(a.ToString(), b.ToString()) <= 0 ? (a, b) : (b, a);
}
