using Portal.Core.Agreement;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;

namespace Portal.Core.Review;

public readonly record struct ControlSpec(string Name, ControlKind Kind);

/// <summary>One annotator's submitted result for the task; <see cref="Annotator"/> is an opaque id.</summary>
public sealed record AnnotatorResult(string Annotator, AnnotationResult Result);

/// <param name="AgreementThreshold">Task agreement at or above which the consensus is trusted.</param>
/// <param name="VoteThreshold">Share of annotators a span or choice needs to enter the consensus.</param>
/// <param name="MinDawidSkeneTasks">Other tasks a choice control needs before Dawid-Skene replaces majority vote.</param>
public sealed record ConsensusPolicy(double AgreementThreshold, double VoteThreshold, int MinDawidSkeneTasks = 10);

public sealed record ControlAgreement(string Control, double? Score);

/// <summary>
/// What the rules say about one task: its agreement (the lowest of its controls, so every question must agree),
/// whether that reaches the threshold, the consensus result, the rule that produced it and who agreed with it.
/// </summary>
public sealed record ConsensusDecision(
    double? Agreement, IReadOnlyList<ControlAgreement> PerControl, bool Reached, AnnotationResult Result, string Rule, IReadOnlyList<string> Agreeing);

/// <summary>A span or choice as the adjudicator sees it: who marked it, their share, and whether the vote pre-accepts it.</summary>
public sealed record MergedItem<T>(T Value, IReadOnlyList<string> Annotators, double Share, bool PreAccepted);

public sealed record MergedView(IReadOnlyList<MergedItem<SpanValue>> Spans, IReadOnlyList<MergedItem<AnswerValue>> Answers)
{
    /// <summary>Every distinct written answer (trimmed) with who wrote it.</summary>
    public IReadOnlyList<MergedItem<TextValue>> Texts { get; init; } = [];

    /// <summary>Every distinct relation with who drew it.</summary>
    public IReadOnlyList<MergedItem<RelationValue>> Relations { get; init; } = [];
}

/// <summary>
/// Consensus on task completion (DESIGN.md flow 4), built on the agreement engine: span controls are scored by the
/// mean pairwise exact span F1 and merged by span majority; choice controls are scored by pairwise agreement and
/// merged by Dawid-Skene over the project's earlier answers when there are enough of them, else by majority vote
/// (multiple-choice labels each by their own vote).
/// </summary>
public static class TaskConsensus
{
    private const string Current = "\u0000current";

    /// <param name="history">Per choice control, earlier answers of the project (other tasks) that Dawid-Skene learns annotator skill from.</param>
    public static ConsensusDecision Decide(
        IReadOnlyList<ControlSpec> controls, int textLength, IReadOnlyList<AnnotatorResult> annotations, ConsensusPolicy policy,
        IReadOnlyDictionary<string, IReadOnlyList<Answer>>? history = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(annotations.Count, 1);
        var perControl = new List<ControlAgreement>(controls.Count);
        var spans = new List<SpanValue>();
        var answers = new List<AnswerValue>();
        var rules = new List<string>();
        var votesReached = true;
        var n = annotations.Count;

        foreach (var control in controls.Where(c => c.Kind.IsScored()))
        {
            if (control.Kind == ControlKind.Spans)
            {
                var study = new SpanStudy([.. annotations.Select(a => a.Annotator)]);
                study.AddTask("task", textLength, [.. annotations.Select(a => (IReadOnlyList<(int, int, string)>?)SpansOf(a.Result, control.Name).ToList())]);
                perControl.Add(new ControlAgreement(control.Name, SpanAgreement.TaskScore(study.Tasks[0], study.Labels.Count)));
                foreach (var voted in Consensus.SpanMajority(annotations.Select(a => SpansOf(a.Result, control.Name)), n, policy.VoteThreshold))
                {
                    spans.Add(new SpanValue(control.Name, Guid.Parse(voted.Label), voted.Start, voted.End));
                }

                rules.Add($"{control.Name}: span-majority>={policy.VoteThreshold:0.##}");
                continue;
            }

            var values = annotations.Select(a => ChoiceValue(a.Result, control.Name)).ToList();
            perControl.Add(new ControlAgreement(control.Name, CodingAgreement.UnitAgreement(values)));
            if (control.Kind == ControlKind.MultipleChoice)
            {
                var votes = annotations.SelectMany(a => a.Result.Answers.Where(x => x.Control == control.Name).Distinct()).GroupBy(x => x);
                answers.AddRange(votes.Where(g => (double)g.Count() / n >= policy.VoteThreshold).Select(g => g.Key));
                rules.Add($"{control.Name}: label-majority>={policy.VoteThreshold:0.##}");
                continue;
            }

            if (!SingleAnswer(control.Name, annotations, policy, history, rules, out var label))
            {
                continue;
            }

            if (label is null)
            {
                votesReached = false;
            }
            else
            {
                answers.Add(new AnswerValue(control.Name, Guid.Parse(label)));
            }
        }

        var result = new AnnotationResult(spans, answers)
        {
            Texts = VotedTexts(controls, annotations, policy.VoteThreshold),
            Relations = VotedRelations(annotations, spans, policy.VoteThreshold),
        };
        var defined = perControl.Where(c => c.Score is not null).Select(c => c.Score!.Value).ToList();
        double? agreement = defined.Count == 0 ? null : defined.Min();
        var reached = votesReached && agreement is { } score && score >= policy.AgreementThreshold - 1e-12;
        var canonical = result.ToJson();
        var agreeing = annotations.Where(a => a.Result.ToJson() == canonical).Select(a => a.Annotator).ToList();
        return new ConsensusDecision(agreement, perControl, reached, result, string.Join("; ", rules), agreeing);
    }

    /// <summary>
    /// A single-answer question's consensus: Dawid-Skene when the project has enough earlier answers, else majority vote;
    /// false when nobody answered it. <paramref name="label"/> is null when the question stays undecided.
    /// </summary>
    private static bool SingleAnswer(
        string controlName, IReadOnlyList<AnnotatorResult> annotations, ConsensusPolicy policy, IReadOnlyDictionary<string, IReadOnlyList<Answer>>? history,
        List<string> rules, out string? label)
    {
        var n = annotations.Count;
        var current = annotations.Select(a => (a.Annotator, Value: a.Result.Answers.FirstOrDefault(x => x.Control == controlName)))
            .Where(x => x.Value.Control is not null).Select(x => new Answer(Current, x.Annotator, x.Value.Label.ToString())).ToList();
        if (current.Count == 0)
        {
            label = null;
            return false;
        }

        var earlier = history?.GetValueOrDefault(controlName) ?? [];
        var earlierTasks = earlier.Select(a => a.Task).Distinct().Count();
        if (earlierTasks >= policy.MinDawidSkeneTasks)
        {
            label = Consensus.DawidSkene([.. earlier, .. current]).Labels[Current];
            rules.Add($"{controlName}: dawid-skene({earlierTasks + 1} tasks)");
        }
        else
        {
            var top = current.GroupBy(a => a.Label).Select(g => (Label: g.Key, Votes: g.Count()))
                .OrderByDescending(g => g.Votes).ThenBy(g => g.Label, StringComparer.Ordinal).ToList();
            // A tie or a plurality under the vote threshold leaves the question undecided.
            var decided = (double)top[0].Votes / n >= policy.VoteThreshold && (top.Count == 1 || top[1].Votes < top[0].Votes);
            label = decided ? top[0].Label : null;
            rules.Add($"{controlName}: majority-vote>={policy.VoteThreshold:0.##}");
        }

        return true;
    }

    /// <summary>
    /// Every distinct span and answer of the task with who gave it, for adjudication: those with a share at or above
    /// <paramref name="voteThreshold"/> are pre-accepted (for a single-answer question only a clear winner is).
    /// </summary>
    public static MergedView Merge(IReadOnlyList<ControlSpec> controls, IReadOnlyList<AnnotatorResult> annotations, double voteThreshold)
    {
        var n = Math.Max(1, annotations.Count);
        var spans = annotations
            .SelectMany(a => a.Result.Spans.Distinct().Select(s => (Span: s, a.Annotator)))
            .GroupBy(x => x.Span)
            .Select(g => new MergedItem<SpanValue>(g.Key, [.. g.Select(x => x.Annotator)], (double)g.Count() / n, (double)g.Count() / n >= voteThreshold))
            .OrderBy(m => m.Value.Start).ThenBy(m => m.Value.End).ThenBy(m => m.Value.Control, StringComparer.Ordinal).ThenBy(m => m.Value.Label)
            .ToList();

        var answers = new List<MergedItem<AnswerValue>>();
        foreach (var control in controls.Where(c => c.Kind.IsChoice()))
        {
            var votes = annotations
                .SelectMany(a => a.Result.Answers.Where(x => x.Control == control.Name).Distinct().Select(x => (Answer: x, a.Annotator)))
                .GroupBy(x => x.Answer)
                .Select(g => (g.Key, Who: g.Select(x => x.Annotator).ToList()))
                .OrderByDescending(g => g.Who.Count).ThenBy(g => g.Key.Label)
                .ToList();
            for (var i = 0; i < votes.Count; i++)
            {
                var share = (double)votes[i].Who.Count / n;
                var clear = control.Kind == ControlKind.MultipleChoice || votes.Count == 1 || (i == 0 && votes[1].Who.Count < votes[0].Who.Count);
                answers.Add(new MergedItem<AnswerValue>(votes[i].Key, votes[i].Who, share, clear && share >= voteThreshold));
            }
        }

        var texts = annotations.SelectMany(a => a.Result.Texts.Where(t => !string.IsNullOrWhiteSpace(t.Text)).Select(t => (Text: t with { Text = t.Text.Trim() }, a.Annotator)))
            .GroupBy(x => x.Text)
            .Select(g => new MergedItem<TextValue>(g.Key, [.. g.Select(x => x.Annotator)], (double)g.Count() / n, (double)g.Count() / n >= voteThreshold))
            .OrderBy(m => m.Value.Control, StringComparer.Ordinal).ThenByDescending(m => m.Share).ToList();
        var relations = annotations.SelectMany(a => a.Result.Relations.Distinct().Select(r => (Relation: r, a.Annotator)))
            .GroupBy(x => x.Relation)
            .Select(g => new MergedItem<RelationValue>(g.Key, [.. g.Select(x => x.Annotator)], (double)g.Count() / n, (double)g.Count() / n >= voteThreshold))
            .OrderBy(m => m.Value.From, AnnotationResult.SpanOrder.Instance).ThenBy(m => m.Value.To, AnnotationResult.SpanOrder.Instance).ToList();
        return new MergedView(spans, answers) { Texts = texts, Relations = relations };
    }

    /// <summary>
    /// A written answer enters the consensus when enough annotators wrote the same words (after trimming); otherwise the
    /// question stays open in the consensus and adjudication shows every answer. Free text never blocks a consensus.
    /// </summary>
    private static List<TextValue> VotedTexts(IReadOnlyList<ControlSpec> controls, IReadOnlyList<AnnotatorResult> annotations, double threshold)
    {
        var n = annotations.Count;
        return [.. controls.Where(c => c.Kind == ControlKind.FreeText).SelectMany(c => annotations
            .Select(a => a.Result.Texts.FirstOrDefault(t => t.Control == c.Name).Text?.Trim())
            .Where(t => !string.IsNullOrEmpty(t)).GroupBy(t => t!, StringComparer.Ordinal)
            .Where(g => (double)g.Count() / n >= threshold)
            .Select(g => new TextValue(c.Name, g.Key)).Take(1))];
    }

    /// <summary>A relation enters the consensus like a span, by its own vote, and only when both its spans did.</summary>
    private static List<RelationValue> VotedRelations(IReadOnlyList<AnnotatorResult> annotations, List<SpanValue> spans, double threshold)
    {
        var n = annotations.Count;
        var kept = spans.ToHashSet();
        return [.. annotations.SelectMany(a => a.Result.Relations.Distinct()).GroupBy(r => r)
            .Where(g => (double)g.Count() / n >= threshold && kept.Contains(g.Key.From) && kept.Contains(g.Key.To))
            .Select(g => g.Key)];
    }

    private static IEnumerable<(int Start, int End, string Label)> SpansOf(AnnotationResult result, string control) =>
        result.Spans.Where(s => s.Control == control).Select(s => (s.Start, s.End, s.Label.ToString()));

    /// <summary>An annotator's answer to one question as one value; an unanswered question is a value too (both left it open).</summary>
    private static string ChoiceValue(AnnotationResult result, string control)
    {
        var labels = result.Answers.Where(a => a.Control == control).Select(a => a.Label.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        return labels.Count == 0 ? "(none)" : string.Join("|", labels);
    }
}
