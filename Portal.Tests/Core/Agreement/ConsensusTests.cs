using System.Text.Json;
using Portal.Core.Agreement;
using static Portal.Tests.Core.Agreement.ReferenceCases;

namespace Portal.Tests.Core.Agreement;

public class ConsensusTests
{
    private static List<Answer> Answers(JsonElement c) =>
        [.. c.GetProperty("input").GetProperty("answers[task,worker,label]").EnumerateArray()
            .Select(a => new Answer(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!))];

    [Fact]
    public void MajorityVote_CrowdKitToyExample_LabelsProbabilitiesAndSkills()
    {
        var c = Case("dawid_skene.json", "crowdkit_majority_vote_toy_ysda");
        var result = Consensus.MajorityVote(Answers(c));
        var expected = c.GetProperty("expected");

        foreach (var task in expected.GetProperty("labels").EnumerateObject())
        {
            Assert.Equal(task.Value.GetString(), result.Labels[task.Name]);
        }

        foreach (var task in expected.GetProperty("probas").EnumerateObject())
        {
            foreach (var label in task.Value.EnumerateObject())
            {
                Near(label.Value.GetDouble(), result.Probabilities[task.Name][label.Name], 1e-12, $"{task.Name}/{label.Name}");
            }
        }

        foreach (var worker in expected.GetProperty("skills").EnumerateObject())
        {
            Near(worker.Value.GetDouble(), result.WorkerSkills[worker.Name], 1e-12, worker.Name);
        }
    }

    [Fact]
    public void DawidSkene_CrowdKitToyExample_TenIterations()
    {
        var c = Case("dawid_skene.json", "crowdkit_dawid_skene_toy_ysda");
        var iterations = c.GetProperty("input").GetProperty("n_iter").GetInt32();
        var result = Consensus.DawidSkene(Answers(c), maxIterations: iterations, tolerance: 0);

        foreach (var task in c.GetProperty("expected").GetProperty("labels").EnumerateObject())
        {
            Assert.Equal(task.Value.GetString(), result.Labels[task.Name]);
        }

        var full = c.GetProperty("full_precision_reference").GetProperty("probas");
        foreach (var task in full.EnumerateObject())
        {
            // crowd-kit's columns are the sorted labels: [no, yes].
            var probabilities = task.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Near(probabilities[0], result.Probabilities[task.Name]["no"], 1e-6, $"{task.Name}/no");
            Near(probabilities[1], result.Probabilities[task.Name]["yes"], 1e-6, $"{task.Name}/yes");
        }
    }

    [Fact]
    public void DawidSkene_DefaultStoppingRule_ConvergesBeforeTheCap()
    {
        var c = Case("dawid_skene.json", "crowdkit_dawid_skene_toy_ysda");
        var result = Consensus.DawidSkene(Answers(c));
        Assert.InRange(result.Iterations, 1, 99);
    }

    [Fact]
    public void MajorityVote_Tie_GoesToTheOrdinallyFirstLabel()
    {
        var result = Consensus.MajorityVote([new("t", "a", "b-label"), new("t", "b", "a-label")]);
        Assert.Equal("a-label", result.Labels["t"]);
    }

    [Fact]
    public void SpanMajority_KeepsSpansAtOrAboveTheThreshold()
    {
        var spans = Consensus.SpanMajority(
            [
                [(0, 5, "PER"), (10, 15, "ORG"), (0, 5, "PER")],
                [(0, 5, "PER"), (10, 16, "ORG")],
                [(0, 5, "PER"), (10, 15, "ORG")],
            ],
            annotators: 3, threshold: 0.6);

        Assert.Equal([(0, 5, "PER", 3), (10, 15, "ORG", 2)], spans.Select(s => (s.Start, s.End, s.Label, s.Votes)));
    }
}
