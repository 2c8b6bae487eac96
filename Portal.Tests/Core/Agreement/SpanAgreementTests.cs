using System.Text.Json;
using Portal.Core.Agreement;
using static Portal.Tests.Core.Agreement.ReferenceCases;

namespace Portal.Tests.Core.Agreement;

public class SpanAgreementTests
{
    private static SpanStudy BratiaaStudy()
    {
        var c = Case("span_f1.json", "bratiaa_agree2_exact_f1");
        var input = c.GetProperty("input");
        var annotators = input.GetProperty("annotators").EnumerateArray().Select(a => a.GetString()!).ToList();
        var documents = input.GetProperty("documents").EnumerateArray().Select(d => d.GetString()!).ToList();
        var annotations = input.GetProperty("annotations[annotator][doc] = [label,start,end]");
        var study = new SpanStudy(annotators);
        foreach (var document in documents)
        {
            study.AddTask(document, 10_000, [.. annotators.Select(a => (IReadOnlyList<(int, int, string)>?)
                [.. annotations.GetProperty(a).GetProperty(document).EnumerateArray().Select(s => (s[1].GetInt32(), s[2].GetInt32(), s[0].GetString()!))])]);
        }

        return study;
    }

    [Fact]
    public void ExactF1_BratiaaExample_MatchesMeanAndPerLabel()
    {
        var result = SpanAgreement.ExactF1(BratiaaStudy());

        Near(0.7878787878787878, result.Mean, 1e-12, "mean_f1");
        var pair = Assert.Single(result.Pairs);
        Assert.Equal((13L, 3L, 4L), (pair.Tp, pair.FpA, pair.FpB));
        var perLabel = new[] { ("PER", 0.9333333333333333), ("LOC", 0.6666666666666666), ("ORG", 0.6), ("MISC", 1.0) };
        foreach (var (label, f1) in perLabel)
        {
            Near(f1, result.PerLabel[label], 1e-12, $"per-label {label}");
        }
    }

    [Fact]
    public void ExactF1_StorageOrderAndDuplicates_DoNotMatter()
    {
        var a = new SpanStudy(["x", "y"]);
        a.AddTask("t", 50, [[(0, 4, "A"), (10, 20, "B")], [(10, 20, "B"), (0, 4, "A")]]);
        var b = new SpanStudy(["x", "y"]);
        b.AddTask("t", 50, [[(10, 20, "B"), (0, 4, "A"), (0, 4, "A")], [(0, 4, "A"), (10, 20, "B")]]);

        Assert.Equal(1.0, SpanAgreement.ExactF1(a).Mean);
        Assert.Equal(1.0, SpanAgreement.ExactF1(b).Mean);
    }

    [Fact]
    public void OverlapF1_MatchesOneToOne_AboveTheIouThreshold()
    {
        var study = new SpanStudy(["x", "y"]);
        // x: one long span; y: two halves of it. IoU 0.5 each with the long one, but it can match only once.
        study.AddTask("t", 100, [[(0, 20, "A")], [(0, 10, "A"), (10, 20, "A")]]);
        var result = SpanAgreement.OverlapF1(study, 0.5);
        var pair = Assert.Single(result.Pairs);
        Assert.Equal(1, pair.Tp);
        Near(2.0 / 3, pair.F1, 1e-12, "f1");

        Assert.Equal(0, SpanAgreement.OverlapF1(study, 0.6).Pairs[0].Tp);
        Assert.Equal(0, SpanAgreement.ExactF1(study).Pairs[0].Tp);
    }

    [Fact]
    public void OverlapF1_NestedAndLongSpans_FindTheirPartners()
    {
        var study = new SpanStudy(["x", "y"]);
        study.AddTask("t", 1000, [[(0, 900, "A"), (5, 10, "B"), (800, 850, "A")], [(800, 851, "A"), (1, 899, "A"), (5, 10, "B")]]);
        var pair = SpanAgreement.OverlapF1(study, 0.5).Pairs[0];
        Assert.Equal(3, pair.Tp);
    }

    [Fact]
    public void OnlyTasksBothAnnotated_CountForAPair()
    {
        var study = new SpanStudy(["x", "y", "z"]);
        study.AddTask("t1", 10, [[(0, 2, "A")], [(0, 2, "A")], null]);
        study.AddTask("t2", 10, [[(0, 2, "A")], null, [(5, 7, "A")]]);
        var result = SpanAgreement.ExactF1(study);
        Assert.Equal(1.0, result.Pairs.Single(p => p is { A: "x", B: "y" }).F1);
        Assert.Equal(0.0, result.Pairs.Single(p => p is { A: "x", B: "z" }).F1);
        Assert.Null(result.Pairs.Single(p => p is { A: "y", B: "z" }).F1);
        Assert.Equal(0.5, result.Mean);
    }

    [Fact]
    public void SpansOutsideTheText_OrEndingBeforeTheyStart_AreRejectedWithTheTask()
    {
        var study = new SpanStudy(["x"]);
        var outside = Assert.Throws<AgreementInputException>(() => study.AddTask("task-7", 10, [[(5, 11, "A")]]));
        Assert.Contains("task-7", outside.Message, StringComparison.Ordinal);
        Assert.Throws<AgreementInputException>(() => study.AddTask("task-8", 10, [[(5, 4, "A")]]));
    }

    [Fact]
    public void LabelStudioScore_EveryEvalmeCase()
    {
        var c = Case("span_f1.json", "label_studio_evalme_span_iou");
        foreach (var example in c.GetProperty("input").GetProperty("cases").EnumerateArray())
        {
            static List<(int, int, IReadOnlyList<string>)> Spans(JsonElement e) =>
                [.. e.EnumerateArray().Select(s => (s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32(),
                    (IReadOnlyList<string>)[.. s.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!)]))];
            var threshold = example.GetProperty("iou_threshold") is { ValueKind: JsonValueKind.Number } t ? t.GetDouble() : (double?)null;
            var weights = example.GetProperty("label_weights") is { ValueKind: JsonValueKind.Object } w
                ? w.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble())
                : null;

            var score = SpanAgreement.LabelStudioScore(Spans(example.GetProperty("gt")), Spans(example.GetProperty("pred")), threshold, weights);

            Near(example.GetProperty("expected").GetDouble(), score, 1e-12, example.GetProperty("name").GetString()!);
        }
    }

    [Fact]
    public void BoxIou_EveryReferenceCase()
    {
        foreach (var c in Cases("bbox_iou.json"))
        {
            var a = c.GetProperty("box_a_xyxy").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var b = c.GetProperty("box_b_xyxy").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var iou = SpanAgreement.BoxIou(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
            var swapped = SpanAgreement.BoxIou(b[0], b[1], b[2], b[3], a[0], a[1], a[2], a[3]);
            Near(c.GetProperty("expected_iou").GetDouble(), iou, 1e-12, c.GetProperty("name").GetString()!);
            Assert.Equal(iou, swapped, 15);
        }
    }

    [Fact]
    public void HierarchyAtDepth_GivesParentLevelCredit()
    {
        Assert.Equal("Location", LabelHierarchy.AtDepth("Location / City", 1));
        Assert.Equal("Location / City", LabelHierarchy.AtDepth("Location / City", 2));
        Assert.Equal("Person", LabelHierarchy.AtDepth("Person", 3));

        var study = new SpanStudy(["x", "y"]);
        study.AddTask("t", 20, [[(0, 5, LabelHierarchy.AtDepth("Location / City", 1))], [(0, 5, LabelHierarchy.AtDepth("Location / Country", 1))]]);
        Assert.Equal(1.0, SpanAgreement.ExactF1(study).Mean);
    }
}

public class TaskScoreTests
{
    [Fact]
    public void TaskScore_MeanPairwiseF1OfTheTasksAnnotators()
    {
        var study = new SpanStudy(["x", "y", "z"]);
        study.AddTask("t", 100, [[(0, 5, "A"), (10, 20, "B")], [(0, 5, "A")], [(0, 5, "A"), (10, 20, "B")]]);
        var task = study.Tasks[0];

        // x~y 2/3, x~z 1, y~z 2/3.
        ReferenceCases.Near((2.0 / 3 + 1 + 2.0 / 3) / 3, SpanAgreement.TaskScore(task, study.Labels.Count), 1e-12, "exact");
        Assert.Equal(SpanAgreement.TaskScore(task, study.Labels.Count), SpanAgreement.TaskScore(task, study.Labels.Count, 0.5));
    }

    [Fact]
    public void TaskScore_TwoEmptyAnnotationsAgree_OneAnnotatorIsUndefined()
    {
        var study = new SpanStudy(["x", "y"]);
        study.AddTask("empty", 10, [[], []]);
        study.AddTask("alone", 10, [[(0, 1, "A")], null]);
        Assert.Equal(1.0, SpanAgreement.TaskScore(study.Tasks[0], study.Labels.Count));
        Assert.Null(SpanAgreement.TaskScore(study.Tasks[1], study.Labels.Count));
    }

    [Fact]
    public void UnitAgreement_ShareOfAgreeingPairs()
    {
        Assert.Equal(1.0 / 3, Portal.Core.Agreement.CodingAgreement.UnitAgreement(["a", "a", "b", null]));
        Assert.Null(Portal.Core.Agreement.CodingAgreement.UnitAgreement(["a", null]));
    }
}
