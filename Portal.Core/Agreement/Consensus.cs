namespace Portal.Core.Agreement;

/// <summary>One answer: who (worker) said what (label) about which task.</summary>
public readonly record struct Answer(string Task, string Worker, string Label);

public sealed record AggregationResult(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Probabilities,
    IReadOnlyDictionary<string, double> WorkerSkills,
    int Iterations);

public sealed record VotedSpan(int Start, int End, string Label, int Votes, double Share);

/// <summary>Consensus rules: majority vote, Dawid-Skene EM, and span majority with a vote threshold.</summary>
public static class Consensus
{
    /// <summary>numpy's finfo(float).eps, the floor crowd-kit puts under confusion-matrix entries.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Majority vote per task; ties go to the ordinally first label name. Probabilities are answer shares; a
    /// worker's skill is the share of their answers equal to the aggregated label.
    /// </summary>
    public static AggregationResult MajorityVote(IReadOnlyList<Answer> answers)
    {
        var index = Index.Of(answers);
        var probabilities = new double[index.Tasks.Count, index.Labels.Count];
        var totals = new int[index.Tasks.Count];
        foreach (var (t, _, l) in index.Coded)
        {
            probabilities[t, l]++;
            totals[t]++;
        }

        for (var t = 0; t < index.Tasks.Count; t++)
        {
            for (var l = 0; l < index.Labels.Count; l++)
            {
                probabilities[t, l] /= totals[t];
            }
        }

        return index.Result(probabilities, iterations: 0);
    }

    /// <summary>
    /// Dawid-Skene (1979) EM, initialised with the majority-vote shares (as crowd-kit does). Each iteration: E-step
    /// (task posteriors from class priors and per-worker confusion matrices, in log space), then M-step. Stopping
    /// rule: after <paramref name="maxIterations"/> iterations, or earlier when the evidence lower bound per answer
    /// improves by less than <paramref name="tolerance"/>. Confusion entries are floored at machine epsilon.
    /// </summary>
    public static AggregationResult DawidSkene(IReadOnlyList<Answer> answers, int maxIterations = 100, double tolerance = 1e-5)
    {
        var index = Index.Of(answers);
        int tasks = index.Tasks.Count, labels = index.Labels.Count, workers = index.Workers.Count;
        if (tasks == 0)
        {
            return index.Result(new double[0, 0], 0);
        }

        var probabilities = new double[tasks, labels];
        var totals = new int[tasks];
        foreach (var (t, _, l) in index.Coded)
        {
            probabilities[t, l]++;
            totals[t]++;
        }

        for (var t = 0; t < tasks; t++)
        {
            for (var l = 0; l < labels; l++)
            {
                probabilities[t, l] /= totals[t];
            }
        }

        var priors = Priors(probabilities);
        // errors[w, observed, true]
        var errors = MStep(index, probabilities, workers, labels);
        var loss = double.NegativeInfinity;
        var iterations = 0;
        for (var i = 0; i < maxIterations; i++)
        {
            iterations++;
            probabilities = EStep(index, priors, errors);
            priors = Priors(probabilities);
            errors = MStep(index, probabilities, workers, labels);
            var newLoss = EvidenceLowerBound(index, probabilities, priors, errors) / index.Coded.Count;
            if (newLoss - loss < tolerance)
            {
                break;
            }

            loss = newLoss;
        }

        return index.Result(probabilities, iterations);
    }

    private static double[] Priors(double[,] probabilities)
    {
        int tasks = probabilities.GetLength(0), labels = probabilities.GetLength(1);
        var priors = new double[labels];
        for (var t = 0; t < tasks; t++)
        {
            for (var l = 0; l < labels; l++)
            {
                priors[l] += probabilities[t, l] / tasks;
            }
        }

        return priors;
    }

    private static double[,,] MStep(Index index, double[,] probabilities, int workers, int labels)
    {
        var errors = new double[workers, labels, labels];
        var seen = new bool[workers, labels];
        foreach (var (t, w, l) in index.Coded)
        {
            seen[w, l] = true;
            for (var k = 0; k < labels; k++)
            {
                errors[w, l, k] += probabilities[t, k];
            }
        }

        for (var w = 0; w < workers; w++)
        {
            for (var k = 0; k < labels; k++)
            {
                double column = 0;
                for (var l = 0; l < labels; l++)
                {
                    if (seen[w, l])
                    {
                        errors[w, l, k] = Math.Max(errors[w, l, k], MachineEpsilon);
                        column += errors[w, l, k];
                    }
                }

                for (var l = 0; l < labels; l++)
                {
                    if (seen[w, l])
                    {
                        errors[w, l, k] /= column;
                    }
                }
            }
        }

        return errors;
    }

    private static double[,] EStep(Index index, double[] priors, double[,,] errors)
    {
        int tasks = index.Tasks.Count, labels = priors.Length;
        var log = new double[tasks, labels];
        for (var t = 0; t < tasks; t++)
        {
            for (var k = 0; k < labels; k++)
            {
                log[t, k] = Math.Log(priors[k]);
            }
        }

        foreach (var (t, w, l) in index.Coded)
        {
            for (var k = 0; k < labels; k++)
            {
                log[t, k] += Math.Log(errors[w, l, k]);
            }
        }

        var result = new double[tasks, labels];
        for (var t = 0; t < tasks; t++)
        {
            var max = double.NegativeInfinity;
            for (var k = 0; k < labels; k++)
            {
                max = Math.Max(max, log[t, k]);
            }

            double sum = 0;
            for (var k = 0; k < labels; k++)
            {
                result[t, k] = Math.Exp(log[t, k] - max);
                sum += result[t, k];
            }

            for (var k = 0; k < labels; k++)
            {
                result[t, k] /= sum;
            }
        }

        return result;
    }

    private static double EvidenceLowerBound(Index index, double[,] probabilities, double[] priors, double[,,] errors)
    {
        int tasks = index.Tasks.Count, labels = priors.Length;
        double bound = 0;
        foreach (var (t, w, l) in index.Coded)
        {
            for (var k = 0; k < labels; k++)
            {
                bound += probabilities[t, k] * Math.Log(errors[w, l, k]);
            }
        }

        for (var t = 0; t < tasks; t++)
        {
            for (var k = 0; k < labels; k++)
            {
                var p = probabilities[t, k];
                if (p > 0)
                {
                    bound += p * (Math.Log(priors[k]) - Math.Log(p));
                }
            }
        }

        return bound;
    }

    /// <summary>
    /// Spans that at least <paramref name="threshold"/> of the annotators marked exactly (same start, end and label),
    /// in text order. <paramref name="annotators"/> is how many annotated the task (an empty annotation counts).
    /// </summary>
    public static IReadOnlyList<VotedSpan> SpanMajority(IEnumerable<IEnumerable<(int Start, int End, string Label)>> byAnnotator, int annotators, double threshold = 0.5)
    {
        if (annotators <= 0)
        {
            return [];
        }

        var votes = new Dictionary<(int, int, string), int>();
        foreach (var spans in byAnnotator)
        {
            foreach (var span in spans.Distinct())
            {
                votes[span] = votes.GetValueOrDefault(span) + 1;
            }
        }

        return votes
            .Where(v => (double)v.Value / annotators >= threshold)
            .Select(v => new VotedSpan(v.Key.Item1, v.Key.Item2, v.Key.Item3, v.Value, (double)v.Value / annotators))
            .OrderBy(s => s.Start).ThenBy(s => s.End).ThenBy(s => s.Label, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Tasks, workers and labels as dense indexes; labels in ordinal order so argmax ties go to the first name.</summary>
    private sealed class Index
    {
        public required List<string> Tasks { get; init; }
        public required List<string> Workers { get; init; }
        public required List<string> Labels { get; init; }
        public required List<(int Task, int Worker, int Label)> Coded { get; init; }

        public static Index Of(IReadOnlyList<Answer> answers)
        {
            var tasks = new Dictionary<string, int>(StringComparer.Ordinal);
            var workers = new Dictionary<string, int>(StringComparer.Ordinal);
            var labelNames = answers.Select(a => a.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var labels = labelNames.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
            var coded = new List<(int, int, int)>(answers.Count);
            foreach (var a in answers)
            {
                if (!tasks.TryGetValue(a.Task, out var t))
                {
                    tasks[a.Task] = t = tasks.Count;
                }

                if (!workers.TryGetValue(a.Worker, out var w))
                {
                    workers[a.Worker] = w = workers.Count;
                }

                coded.Add((t, w, labels[a.Label]));
            }

            return new Index
            {
                Tasks = [.. tasks.OrderBy(x => x.Value).Select(x => x.Key)],
                Workers = [.. workers.OrderBy(x => x.Value).Select(x => x.Key)],
                Labels = labelNames,
                Coded = coded,
            };
        }

        public AggregationResult Result(double[,] probabilities, int iterations)
        {
            var chosen = new int[Tasks.Count];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var probas = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
            for (var t = 0; t < Tasks.Count; t++)
            {
                var best = 0;
                var row = new Dictionary<string, double>(StringComparer.Ordinal);
                for (var l = 0; l < Labels.Count; l++)
                {
                    row[Labels[l]] = probabilities[t, l];
                    if (probabilities[t, l] > probabilities[t, best])
                    {
                        best = l;
                    }
                }

                chosen[t] = best;
                labels[Tasks[t]] = Labels[best];
                probas[Tasks[t]] = row;
            }

            var agree = new int[Workers.Count];
            var answered = new int[Workers.Count];
            foreach (var (t, w, l) in Coded)
            {
                answered[w]++;
                if (chosen[t] == l)
                {
                    agree[w]++;
                }
            }

            var skills = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var w = 0; w < Workers.Count; w++)
            {
                skills[Workers[w]] = (double)agree[w] / answered[w];
            }

            return new AggregationResult(labels, probas, skills, iterations);
        }
    }
}
