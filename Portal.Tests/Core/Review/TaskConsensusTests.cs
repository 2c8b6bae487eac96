using Portal.Core.Agreement;
using Portal.Core.Labeling;
using Portal.Core.Review;
using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.Review;

public class TaskConsensusTests
{
    private static readonly Guid Org = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Person = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Complaint = Guid.Parse("00000000-0000-0000-0000-0000000000c1");
    private static readonly Guid Praise = Guid.Parse("00000000-0000-0000-0000-0000000000c2");
    private static readonly ControlSpec[] Controls = [new("entities", ControlKind.Spans), new("intent", ControlKind.SingleChoice)];
    private static readonly ConsensusPolicy Policy = new(AgreementThreshold: 0.8, VoteThreshold: 0.5);

    private static AnnotatorResult Result(string who, Guid? intent, params (int Start, int End, Guid Label)[] spans) =>
        new(who, new AnnotationResult(
            [.. spans.Select(s => new SpanValue("entities", s.Label, s.Start, s.End))],
            intent is { } i ? [new AnswerValue("intent", i)] : []));

    [Fact]
    public void Decide_IdenticalAnnotations_ReachesConsensusWithTheirResultAndBothAgreeing()
    {
        var a = Result("ann", Complaint, (0, 4, Org), (10, 15, Person));
        var b = Result("ben", Complaint, (10, 15, Person), (0, 4, Org));

        var decision = TaskConsensus.Decide(Controls, 40, [a, b], Policy);

        Assert.True(decision.Reached);
        Assert.Equal(1.0, decision.Agreement);
        Assert.Equal(a.Result.ToJson(), decision.Result.ToJson());
        Assert.Equal(["ann", "ben"], decision.Agreeing);
        Assert.Contains("span-majority>=0.5", decision.Rule, StringComparison.Ordinal);
        Assert.Contains("intent: majority-vote", decision.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TaskAgreementIsTheWeakestControl_SpanF1FromTheEngine()
    {
        // Spans: 2 of 3 shared by each → F1 = 2*2/(3+3) = 0.667; the intent agrees (1.0).
        var a = Result("ann", Complaint, (0, 4, Org), (10, 15, Person), (20, 25, Org));
        var b = Result("ben", Complaint, (0, 4, Org), (10, 15, Person), (30, 35, Org));

        var decision = TaskConsensus.Decide(Controls, 40, [a, b], Policy);

        Assert.Equal(2.0 / 3, decision.Agreement!.Value, 12);
        Assert.Equal(1.0, decision.PerControl.Single(c => c.Control == "intent").Score);
        Assert.False(decision.Reached);
        Assert.Empty(decision.Agreeing);
    }

    [Fact]
    public void Decide_ThreeAnnotators_SpanMajorityKeepsSpansOfTwo()
    {
        var a = Result("a", Praise, (0, 4, Org), (10, 15, Person));
        var b = Result("b", Praise, (0, 4, Org), (10, 15, Person));
        var c = Result("c", Praise, (0, 4, Org));

        var decision = TaskConsensus.Decide(Controls, 40, [a, b, c], Policy with { AgreementThreshold = 0.7 });

        // Pairs: a-b 1, a-c 2/3, b-c 2/3 → mean 7/9.
        Assert.Equal(7.0 / 9, decision.Agreement!.Value, 12);
        Assert.True(decision.Reached);
        Assert.Equal([new SpanValue("entities", Org, 0, 4), new SpanValue("entities", Person, 10, 15)], decision.Result.Spans);
        Assert.Equal(["a", "b"], decision.Agreeing);
    }

    [Fact]
    public void Decide_ChoiceTie_IsUndecidedEvenAtALowThreshold()
    {
        var decision = TaskConsensus.Decide(Controls, 40, [Result("a", Complaint), Result("b", Praise)], Policy with { AgreementThreshold = 0 });

        Assert.False(decision.Reached);
        Assert.Empty(decision.Result.Answers);
    }

    [Fact]
    public void Decide_EnoughHistory_UsesDawidSkeneWhichTrustsTheReliableAnnotator()
    {
        // "good" matches the truth on every earlier task; "noisy1" and "noisy2" are each wrong on a third of them (never both).
        var history = new List<Answer>();
        for (var t = 0; t < 30; t++)
        {
            var truth = t % 2 == 0 ? Complaint : Praise;
            var other = truth == Complaint ? Praise : Complaint;
            history.Add(new Answer($"t{t}", "good", truth.ToString()));
            history.Add(new Answer($"t{t}", "noisy1", (t % 3 == 0 ? other : truth).ToString()));
            history.Add(new Answer($"t{t}", "noisy2", (t % 3 == 1 ? other : truth).ToString()));
        }

        var now = new[] { Result("good", Praise), Result("noisy1", Complaint), Result("noisy2", Complaint) };
        var ds = TaskConsensus.Decide([Controls[1]], 40, now, Policy with { AgreementThreshold = 0 }, new Dictionary<string, IReadOnlyList<Answer>> { ["intent"] = history });
        var mv = TaskConsensus.Decide([Controls[1]], 40, now, Policy with { AgreementThreshold = 0 });

        Assert.Equal(Praise, ds.Result.Answers.Single().Label);
        Assert.Contains("dawid-skene(31 tasks)", ds.Rule, StringComparison.Ordinal);
        Assert.Equal(Complaint, mv.Result.Answers.Single().Label);
    }

    [Fact]
    public void Decide_BothLeftAnOptionalQuestionOpen_Agree()
    {
        var decision = TaskConsensus.Decide(Controls, 40, [Result("a", null, (0, 4, Org)), Result("b", null, (0, 4, Org))], Policy);

        Assert.True(decision.Reached);
        Assert.Empty(decision.Result.Answers);
    }

    [Fact]
    public void Decide_StorageOrderDoesNotMatter()
    {
        var a = Result("a", Complaint, (0, 4, Org), (10, 15, Person));
        var b = Result("b", Complaint, (10, 15, Person), (20, 22, Org));
        var forward = TaskConsensus.Decide(Controls, 40, [a, b], Policy);
        var backward = TaskConsensus.Decide(Controls, 40, [b with { Result = new AnnotationResult([.. b.Result.Spans.Reverse()], b.Result.Answers) }, a], Policy);

        Assert.Equal(forward.Agreement, backward.Agreement);
        Assert.Equal(forward.Result.ToJson(), backward.Result.ToJson());
    }

    [Fact]
    public void Merge_PreAcceptsSpansAtTheVoteThresholdAndListsTheRestAsCandidates()
    {
        var a = Result("a", Complaint, (0, 4, Org), (10, 15, Person));
        var b = Result("b", Praise, (0, 4, Org), (10, 15, Org));
        var c = Result("c", Complaint, (0, 4, Org));

        var merged = TaskConsensus.Merge(Controls, [a, b, c], 0.5);

        var org = merged.Spans.Single(s => s.Value == new SpanValue("entities", Org, 0, 4));
        Assert.True(org.PreAccepted);
        Assert.Equal(["a", "b", "c"], org.Annotators);
        Assert.All(merged.Spans.Where(s => s != org), s => Assert.False(s.PreAccepted));
        Assert.Equal(3, merged.Spans.Count);
        var complaint = merged.Answers.Single(x => x.Value.Label == Complaint);
        Assert.True(complaint.PreAccepted);
        Assert.Equal(2.0 / 3, complaint.Share, 12);
        Assert.False(merged.Answers.Single(x => x.Value.Label == Praise).PreAccepted);
    }

    [Fact]
    public void Merge_SingleChoiceTie_PreAcceptsNeither()
    {
        var merged = TaskConsensus.Merge(Controls, [Result("a", Complaint), Result("b", Praise)], 0.5);

        Assert.All(merged.Answers, x => Assert.False(x.PreAccepted));
    }

    [Fact]
    public void Decide_FreeTextAndRelations_AreCarriedByVote_NotScored()
    {
        ControlSpec[] controls = [.. Controls, new("summary", ControlKind.FreeText), new("relations", ControlKind.Relations)];
        var org = new SpanValue("entities", Org, 0, 4);
        var person = new SpanValue("entities", Person, 10, 15);
        var worksFor = Guid.NewGuid();
        AnnotatorResult With(AnnotatorResult r, string summary, params RelationValue[] relations) =>
            r with { Result = r.Result with { Texts = [new("summary", summary)], Relations = relations } };
        var a = With(Result("a", Praise, (0, 4, Org), (10, 15, Person)), "Praise for the shop ", new RelationValue("relations", person, org, worksFor));
        var b = With(Result("b", Praise, (0, 4, Org), (10, 15, Person)), "Praise for the shop", new RelationValue("relations", person, org, worksFor));
        var c = With(Result("c", Praise, (0, 4, Org), (10, 15, Person)), "A happy customer", new RelationValue("relations", org, person, null));

        var decision = TaskConsensus.Decide(controls, 40, [a, b, c], Policy);
        var merged = TaskConsensus.Merge(controls, [a, b, c], Policy.VoteThreshold);

        Assert.True(decision.Reached);
        Assert.DoesNotContain(decision.PerControl, p => p.Control is "summary" or "relations");
        Assert.Equal(new TextValue("summary", "Praise for the shop"), Assert.Single(decision.Result.Texts));
        Assert.Equal(new RelationValue("relations", person, org, worksFor), Assert.Single(decision.Result.Relations));
        Assert.Equal(2, merged.Texts.Count);
        Assert.True(merged.Texts.Single(t => t.Value.Text == "Praise for the shop").PreAccepted);
        Assert.False(merged.Relations.Single(r => r.Value.Label is null).PreAccepted);
    }
}
