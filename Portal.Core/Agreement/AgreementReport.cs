using System.Text.Json.Nodes;
using Portal.Core.ImportExport;

namespace Portal.Core.Agreement;

/// <summary>
/// The agreement report of the command line's stable interface (DESIGN.md, "Stable interfaces"): camelCase keys,
/// an undefined figure is null, never NaN.
/// </summary>
public static class AgreementReport
{
    public const double OverlapIouThreshold = 0.5;

    public static JsonObject ForReliabilityData(ReliabilityData data, MeasurementLevel level)
    {
        var (o, n) = CodingAgreement.Coincidences(data);
        var fleiss = CodingAgreement.FleissKappa(data);
        var units = 0;
        for (var u = 0; u < data.UnitCount; u++)
        {
            for (var c = 0; c < data.CoderCount; c++)
            {
                if (data.Code(u, c) >= 0)
                {
                    units++;
                    break;
                }
            }
        }

        return new JsonObject
        {
            ["units"] = units,
            ["coders"] = data.CoderCount,
            ["level"] = level.ToString().ToLowerInvariant(),
            ["percentAgreement"] = Number(CodingAgreement.PercentAgreement(o, n, data.Categories.Count)),
            ["krippendorffAlpha"] = Number(CodingAgreement.KrippendorffAlpha(o, n, data, level).Alpha),
            ["fleissKappa"] = Number(fleiss?.Kappa),
            ["cohenKappa"] = Number(data.CoderCount == 2 ? CodingAgreement.CohenKappa(data, 0, 1).Kappa : null),
            ["pairwise"] = new JsonArray([.. CodingAgreement.Pairwise(data).Select(p => (JsonNode)new JsonObject
            {
                ["a"] = p.A,
                ["b"] = p.B,
                ["n"] = p.N,
                ["percentAgreement"] = Number(p.PercentAgreement),
                ["cohenKappa"] = Number(p.CohenKappa),
            })]),
        };
    }

    public static JsonObject ForLabelStudio(LabelStudioExport export)
    {
        var annotators = export.Tasks.SelectMany(t => t.Annotations).Select(a => a.Annotator)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var controls = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var region in export.Tasks.SelectMany(t => t.Annotations).SelectMany(a => a.Regions))
        {
            controls.TryAdd(region.FromName, region.Type);
        }

        var result = new JsonObject();
        foreach (var (name, type) in controls)
        {
            result[name] = type == "labels" ? SpanControl(export, annotators, name) : ChoiceControl(export, annotators, name);
        }

        return new JsonObject
        {
            ["tasks"] = export.Tasks.Count,
            ["annotators"] = annotators.Count,
            ["controls"] = result,
        };
    }

    /// <summary>The annotations of each annotator on a task (the last one when an annotator appears twice).</summary>
    private static LabelStudioAnnotation?[] ByAnnotator(LabelStudioTask task, List<string> annotators)
    {
        var byAnnotator = new LabelStudioAnnotation?[annotators.Count];
        foreach (var annotation in task.Annotations)
        {
            byAnnotator[annotators.BinarySearch(annotation.Annotator, StringComparer.Ordinal)] = annotation;
        }

        return byAnnotator;
    }

    private static JsonObject SpanControl(LabelStudioExport export, List<string> annotators, string control)
    {
        var study = new SpanStudy(annotators);
        foreach (var task in export.Tasks)
        {
            var byAnnotator = ByAnnotator(task, annotators);
            if (byAnnotator.All(a => a is null))
            {
                continue;
            }

            study.AddTask(task.Id, task.Text?.Length ?? 0, [.. byAnnotator.Select(a => a is null ? null : (IReadOnlyList<(int, int, string)>)
                [.. a.Regions.Where(r => r.FromName == control && r.Type == "labels").SelectMany(r => r.Values.Select(v => (r.Start, r.End, v)))])]);
        }

        var unitizing = UnitizingAlpha.ForStudy(study);
        var perLabel = new JsonObject();
        foreach (var (label, id) in study.Labels.Select((l, i) => (l, i)).OrderBy(x => x.l, StringComparer.Ordinal))
        {
            perLabel[label] = Number(unitizing.PerCategory[id].Alpha);
        }

        return new JsonObject
        {
            ["spanF1Exact"] = SpanF1(SpanAgreement.ExactF1(study)),
            ["spanF1Overlap"] = SpanF1(SpanAgreement.OverlapF1(study, OverlapIouThreshold)),
            ["alphaUnitizing"] = Number(unitizing.Alpha),
            ["alphaUnitizingPerLabel"] = perLabel,
        };
    }

    private static JsonObject SpanF1(SpanF1Result result)
    {
        var perLabel = new JsonObject();
        foreach (var (label, f1) in result.PerLabel)
        {
            perLabel[label] = Number(f1);
        }

        return new JsonObject
        {
            ["mean"] = Number(result.Mean),
            ["pairs"] = new JsonArray([.. result.Pairs.Select(p => (JsonNode)new JsonObject
            {
                ["a"] = p.A,
                ["b"] = p.B,
                ["f1"] = Number(p.F1),
                ["tp"] = p.Tp,
                ["fpA"] = p.FpA,
                ["fpB"] = p.FpB,
            })]),
            ["perLabel"] = perLabel,
        };
    }

    private static JsonObject ChoiceControl(LabelStudioExport export, List<string> annotators, string control)
    {
        var builder = new ReliabilityDataBuilder(annotators);
        var answers = new List<Answer>();
        var values = new string?[annotators.Count];
        foreach (var task in export.Tasks)
        {
            var byAnnotator = ByAnnotator(task, annotators);
            var any = false;
            for (var a = 0; a < annotators.Count; a++)
            {
                // A multiple choice answer is one value: its choices in order, joined.
                var choices = byAnnotator[a]?.Regions.Where(r => r.FromName == control && r.Type == "choices").SelectMany(r => r.Values)
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                values[a] = choices is { Count: > 0 } ? string.Join("|", choices) : null;
                if (values[a] is { } value)
                {
                    answers.Add(new Answer(task.Id, annotators[a], value));
                    any = true;
                }
            }

            if (any)
            {
                builder.AddUnit(values.AsSpan());
            }
        }

        var report = ForReliabilityData(builder.Build(), MeasurementLevel.Nominal);
        report["majorityVote"] = Labels(Consensus.MajorityVote(answers));
        report["dawidSkene"] = Labels(Consensus.DawidSkene(answers));
        return report;
    }

    private static JsonObject Labels(AggregationResult result)
    {
        var labels = new JsonObject();
        foreach (var (task, label) in result.Labels)
        {
            labels[task] = label;
        }

        return labels;
    }

    private static JsonNode? Number(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;
}
