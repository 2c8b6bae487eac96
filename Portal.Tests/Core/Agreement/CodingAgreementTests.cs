using System.Text.Json;
using Portal.Core.Agreement;
using static Portal.Tests.Core.Agreement.ReferenceCases;

namespace Portal.Tests.Core.Agreement;

public class CodingAgreementTests
{
    [Theory]
    [InlineData("krippendorff_canonical_4x12")]
    [InlineData("wikipedia_3x15")]
    public void KrippendorffAlpha_ReferenceCases_MatchFullPrecision(string id)
    {
        var c = Case("alpha.json", id);
        var data = ReliabilityData.FromCoderRows(Matrix(c.GetProperty("input")));
        var full = c.GetProperty("full_precision_reference");
        var tolerance = Math.Min(Tolerance(c), 1e-9);

        foreach (var property in full.EnumerateObject())
        {
            var parts = property.Name.Split('.');
            if (parts[0] == "percent_agreement")
            {
                Near(property.Value.GetDouble(), CodingAgreement.PercentAgreement(data), 1e-9, property.Name);
                continue;
            }

            var level = Enum.Parse<MeasurementLevel>(parts[0], ignoreCase: true);
            var result = CodingAgreement.KrippendorffAlpha(data, level);
            double? actual = parts.Length == 1 ? result.Alpha : parts[1] switch
            {
                "D_o" => result.ObservedDisagreement,
                "D_e" => result.ExpectedDisagreement,
                "n_pairable" => result.PairableValues,
                _ => throw new InvalidOperationException(property.Name),
            };
            // Full-precision references are printed with 10 significant digits.
            Near(property.Value.GetDouble(), actual, Math.Max(tolerance, 1e-9 * Math.Max(1, Math.Abs(property.Value.GetDouble()))), $"{id} {property.Name}");
        }
    }

    [Fact]
    public void KrippendorffAlpha_ReferenceCases_MatchPublishedRoundedValues()
    {
        foreach (var c in Cases("alpha.json"))
        {
            var data = ReliabilityData.FromCoderRows(Matrix(c.GetProperty("input")));
            foreach (var property in c.GetProperty("expected").EnumerateObject().Where(p => !p.Name.Contains('.', StringComparison.Ordinal)))
            {
                double? actual = property.Name == "percent_agreement"
                    ? CodingAgreement.PercentAgreement(data)
                    : CodingAgreement.KrippendorffAlpha(data, Enum.Parse<MeasurementLevel>(property.Name, ignoreCase: true)).Alpha;
                Near(property.Value.GetDouble(), actual, Tolerance(c), $"{c.GetProperty("id")} {property.Name}");
            }
        }
    }

    private static ReliabilityData FromCells(JsonElement c)
    {
        var units = new List<IReadOnlyList<string?>>();
        foreach (var cell in c.GetProperty("input").GetProperty("cells").EnumerateArray())
        {
            var count = cell[0].GetInt32();
            for (var i = 0; i < count; i++)
            {
                units.Add([cell[1].ToString(), cell[2].ToString()]);
            }
        }

        return ReliabilityData.FromUnits(["rater1", "rater2"], units);
    }

    [Theory]
    [InlineData("cohen_wikipedia_grant")]
    [InlineData("statsmodels_sas_table10")]
    public void CohenKappa_ReferenceCases(string id)
    {
        var c = Case("kappa.json", id);
        var data = FromCells(c);
        var cohen = CodingAgreement.CohenKappa(data, 0, 1);
        var full = c.GetProperty("full_precision_reference");
        var tolerance = Tolerance(c);

        Near(full.GetProperty("cohen_kappa").GetDouble(), cohen.Kappa, 1e-9, "cohen_kappa");
        Near(full.GetProperty("cohen_kappa.A_E").GetDouble(), cohen.ExpectedAgreement, 1e-9, "cohen_kappa.A_E");
        Near(full.GetProperty("percent_agreement").GetDouble(), cohen.PercentAgreement, 1e-9, "percent_agreement");
        foreach (var property in c.GetProperty("expected").EnumerateObject())
        {
            double? actual = property.Name switch
            {
                "cohen_kappa" => cohen.Kappa,
                "cohen_kappa.A_E" => cohen.ExpectedAgreement,
                "percent_agreement" => cohen.PercentAgreement,
                "weighted_kappa_linear" => CodingAgreement.WeightedCohenKappa(data, 0, 1),
                _ => throw new InvalidOperationException(property.Name),
            };
            Near(property.Value.GetDouble(), actual, tolerance, $"{id} {property.Name}");
        }

        if (full.TryGetProperty("weighted_kappa_linear", out var weighted))
        {
            Near(weighted.GetDouble(), CodingAgreement.WeightedCohenKappa(data, 0, 1), 1e-9, "weighted_kappa_linear");
        }
    }

    [Fact]
    public void FleissKappa_WikipediaExample()
    {
        var c = Case("fleiss.json", "fleiss_wikipedia_10x14");
        var table = c.GetProperty("input").GetProperty("table").EnumerateArray()
            .Select(row => (IReadOnlyList<int>)[.. row.EnumerateArray().Select(v => v.GetInt32())]).ToList();
        var result = CodingAgreement.FleissKappa(table)!;
        var full = c.GetProperty("full_precision_reference");

        Near(full.GetProperty("fleiss_kappa").GetDouble(), result.Kappa, 1e-9, "fleiss_kappa");
        Near(full.GetProperty("P_bar").GetDouble(), result.PBar, 1e-9, "P_bar");
        Near(full.GetProperty("P_e").GetDouble(), result.PE, 1e-9, "P_e");
        var pj = full.GetProperty("p_j").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var pi = full.GetProperty("P_i").EnumerateArray().Select(v => v.GetDouble()).ToList();
        for (var j = 0; j < pj.Count; j++)
        {
            Near(pj[j], result.CategoryShares[j], 1e-9, $"p_j[{j}]");
        }

        for (var i = 0; i < pi.Count; i++)
        {
            Near(pi[i], result.UnitAgreement[i], 1e-9, $"P_i[{i}]");
        }

        Near(c.GetProperty("expected").GetProperty("fleiss_kappa").GetDouble(), result.Kappa, Tolerance(c), "rounded fleiss_kappa");
    }

    [Fact]
    public void FleissKappa_FromReliabilityData_EqualsTheCountTable()
    {
        var c = Case("fleiss.json", "fleiss_wikipedia_10x14");
        var table = c.GetProperty("input").GetProperty("table").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();
        // 14 raters per subject, assigned to the categories in order (Fleiss' kappa ignores who is who).
        var coders = Enumerable.Range(1, 14).Select(i => $"r{i}").ToList();
        var units = table.Select(row => (IReadOnlyList<string?>)[.. row.SelectMany((count, category) => Enumerable.Repeat((category + 1).ToString(), count))]).ToList();
        var data = ReliabilityData.FromUnits(coders, units);

        Near(0.2099307044, CodingAgreement.FleissKappa(data)!.Kappa, 1e-9, "fleiss_kappa");
    }

    [Fact]
    public void FleissKappa_UnevenValueCounts_IsUndefined()
    {
        var data = ReliabilityData.FromUnits(["a", "b", "c"], [["x", "x", null], ["x", "y", "y"]]);
        Assert.Null(CodingAgreement.FleissKappa(data));
    }

    [Fact]
    public void Undefined_Figures_AreNull_NotNaN()
    {
        var single = ReliabilityData.FromUnits(["a", "b"], [["x", null], [null, "y"]]);
        Assert.Null(CodingAgreement.KrippendorffAlpha(single, MeasurementLevel.Nominal).Alpha);
        Assert.Null(CodingAgreement.PercentAgreement(single));
        Assert.Null(CodingAgreement.CohenKappa(single, 0, 1).Kappa);

        var constant = ReliabilityData.FromUnits(["a", "b"], [["x", "x"], ["x", "x"]]);
        Assert.Null(CodingAgreement.KrippendorffAlpha(constant, MeasurementLevel.Nominal).Alpha);
        Assert.Equal(1.0, CodingAgreement.PercentAgreement(constant));

        var empty = ReliabilityData.FromUnits(["a", "b"], []);
        Assert.Null(CodingAgreement.KrippendorffAlpha(empty, MeasurementLevel.Nominal).Alpha);
    }

    [Fact]
    public void IntervalLevel_NonNumericValues_SayWhichValue()
    {
        var data = ReliabilityData.FromUnits(["a", "b"], [["1", "2"], ["high", "1"]]);
        var error = Assert.Throws<AgreementInputException>(() => CodingAgreement.KrippendorffAlpha(data, MeasurementLevel.Interval));
        Assert.Contains("\"high\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Properties_PerfectAgreementIsOne_CoderOrderDoesNotMatter_IdenticalCoderDoesNotLower()
    {
        var random = new Random(5);
        var units = Enumerable.Range(0, 200).Select(_ => (IReadOnlyList<string?>)[.. Enumerable.Range(0, 3)
            .Select(_ => random.NextDouble() < 0.1 ? null : random.Next(4).ToString())]).ToList();
        var data = ReliabilityData.FromUnits(["a", "b", "c"], units);
        var reversed = ReliabilityData.FromUnits(["c", "b", "a"], units.Select(u => (IReadOnlyList<string?>)[.. u.Reverse()]).ToList());
        var shuffled = ReliabilityData.FromUnits(["a", "b", "c"], units.OrderBy(_ => random.Next()).ToList());
        foreach (var level in Enum.GetValues<MeasurementLevel>())
        {
            var alpha = CodingAgreement.KrippendorffAlpha(data, level).Alpha!.Value;
            Assert.Equal(alpha, CodingAgreement.KrippendorffAlpha(reversed, level).Alpha!.Value, 12);
            Assert.Equal(alpha, CodingAgreement.KrippendorffAlpha(shuffled, level).Alpha!.Value, 12);
        }

        var perfect = ReliabilityData.FromUnits(["a", "b"], units.Select(u => (IReadOnlyList<string?>)[u[0] ?? "0", u[0] ?? "0"]).ToList());
        Assert.Equal(1.0, CodingAgreement.KrippendorffAlpha(perfect, MeasurementLevel.Nominal).Alpha!.Value, 12);
        Assert.Equal(1.0, CodingAgreement.CohenKappa(perfect, 0, 1).Kappa!.Value, 12);

        var pair = ReliabilityData.FromUnits(["a", "b"], units.Select(u => (IReadOnlyList<string?>)[u[0], u[1]]).ToList());
        var withTwin = ReliabilityData.FromUnits(["a", "b", "a2"], units.Select(u => (IReadOnlyList<string?>)[u[0], u[1], u[0]]).ToList());
        Assert.True(CodingAgreement.KrippendorffAlpha(withTwin, MeasurementLevel.Nominal).Alpha >= CodingAgreement.KrippendorffAlpha(pair, MeasurementLevel.Nominal).Alpha);

        var ab = CodingAgreement.CohenKappa(data, 0, 1).Kappa;
        Assert.Equal(ab, CodingAgreement.CohenKappa(data, 1, 0).Kappa);
    }

    [Fact]
    public void Bootstrap_IsReproducible_AndContainsTheEstimate()
    {
        var c = Case("alpha.json", "krippendorff_canonical_4x12");
        var data = ReliabilityData.FromCoderRows(Matrix(c.GetProperty("input")));
        var first = Bootstrap.KrippendorffAlpha(data, MeasurementLevel.Nominal, iterations: 300, seed: 7);
        var second = Bootstrap.KrippendorffAlpha(data, MeasurementLevel.Nominal, iterations: 300, seed: 7);

        Assert.Equal(first, second);
        Assert.InRange(0.7434210526, first.Low!.Value, first.High!.Value);
        Assert.True(first.Low < first.High);
    }
}
