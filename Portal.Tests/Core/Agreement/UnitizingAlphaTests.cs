using Portal.Core.Agreement;
using static Portal.Tests.Core.Agreement.ReferenceCases;

namespace Portal.Tests.Core.Agreement;

public class UnitizingAlphaTests
{
    [Fact]
    public void Krippendorff2004Example_MatchesDkpro()
    {
        var c = Case("unitizing.json", "krippendorff2004_p254");
        var input = c.GetProperty("input");
        var categories = new List<string>();
        var units = input.GetProperty("units").EnumerateArray().Select(u =>
        {
            var category = u.GetProperty("category").GetString()!;
            if (!categories.Contains(category))
            {
                categories.Add(category);
            }

            return new UnitizingUnit(u.GetProperty("offset").GetInt64(), u.GetProperty("length").GetInt64(), u.GetProperty("rater").GetInt32(), categories.IndexOf(category));
        }).ToList();

        var result = UnitizingAlpha.Compute(input.GetProperty("continuum_begin").GetInt64(), input.GetProperty("continuum_length").GetInt64(),
            input.GetProperty("raters").GetInt32(), categories.Count, units);

        var full = c.GetProperty("full_precision_reference");
        Near(full.GetProperty("alpha").GetDouble(), result.Alpha, 1e-9, "alpha");
        Near(full.GetProperty("D_o").GetDouble(), result.ObservedDisagreement, 1e-9, "D_o");
        Near(full.GetProperty("D_e").GetDouble(), result.ExpectedDisagreement, 1e-9, "D_e");
        foreach (var category in categories)
        {
            var r = result.PerCategory[categories.IndexOf(category)];
            Near(full.GetProperty($"alpha[{category}]").GetDouble(), r.Alpha, 1e-9, $"alpha[{category}]");
            Near(full.GetProperty($"D_o[{category}]").GetDouble(), r.ObservedDisagreement, 1e-9, $"D_o[{category}]");
            Near(full.GetProperty($"D_e[{category}]").GetDouble(), r.ExpectedDisagreement, 1e-9, $"D_e[{category}]");
        }

        Near(c.GetProperty("expected").GetProperty("alpha").GetDouble(), result.Alpha, Tolerance(c, "alpha"), "published alpha");
    }

    [Fact]
    public void Distance_EveryReferencePair()
    {
        var c = Case("unitizing.json", "unitizing_pair_distance");
        foreach (var pair in c.GetProperty("input").GetProperty("pairs").EnumerateArray())
        {
            var distance = UnitizingAlpha.Distance(
                pair.GetProperty("offset1").GetInt64(), pair.GetProperty("length1").GetInt64(), pair.GetProperty("category1").ValueKind != System.Text.Json.JsonValueKind.Null,
                pair.GetProperty("offset2").GetInt64(), pair.GetProperty("length2").GetInt64(), pair.GetProperty("category2").ValueKind != System.Text.Json.JsonValueKind.Null);
            Assert.Equal(pair.GetProperty("expected_distance").GetDouble(), distance);
        }
    }

    [Fact]
    public void PerfectAgreement_IsOne_AndUnitOrderDoesNotMatter()
    {
        var units = new List<UnitizingUnit>
        {
            new(10, 5, 0, 0), new(10, 5, 1, 0), new(40, 8, 0, 1), new(40, 8, 1, 1), new(70, 3, 0, 0), new(70, 3, 1, 0),
        };
        var result = UnitizingAlpha.Compute(0, 100, 2, 2, units);
        Assert.Equal(1.0, result.Alpha);
        var reversed = UnitizingAlpha.Compute(0, 100, 2, 2, [.. Enumerable.Reverse(units)]);
        Assert.Equal(result, reversed with { PerCategory = result.PerCategory });
    }

    [Fact]
    public void Pairwise_OfTwoAnnotatorsOnTheSameTexts_IsTheStudysAlpha()
    {
        var study = new SpanStudy(["ana", "ben"]);
        study.AddTask("1", 60, [[(0, 5, "P"), (20, 30, "O")], [(0, 5, "P"), (22, 30, "O")]]);
        study.AddTask("2", 40, [[(10, 15, "P")], [(10, 15, "O")]]);

        var pairwise = UnitizingAlpha.PairwiseForStudy(study);

        Assert.Equal(UnitizingAlpha.ForStudy(study).Alpha!.Value, pairwise.Alpha!.Value, 12);
        Assert.Equal(2, pairwise.Tasks);
    }

    [Fact]
    public void Pairwise_WhenEachAnnotatorSeesPartOfTheTexts_WeighsEachPairBySharedText_WhereTheStudysAlphaIsUndefined()
    {
        // Ana and Ben share task 1 (60 characters), Ben and Chloe task 2 (40); nobody has all three.
        var study = new SpanStudy(["ana", "ben", "chloe"]);
        study.AddTask("1", 60, [[(0, 5, "P"), (20, 30, "O")], [(0, 5, "P"), (22, 30, "O")], null]);
        study.AddTask("2", 40, [null, [(10, 15, "P")], [(10, 15, "O")]]);
        var anaBen = UnitizingAlpha.Compute(0, 60, 2, 2, [new(0, 5, 0, 0), new(20, 10, 0, 1), new(0, 5, 1, 0), new(22, 8, 1, 1)]).Alpha!.Value;
        var benChloe = UnitizingAlpha.Compute(0, 40, 2, 2, [new(10, 5, 0, 0), new(10, 5, 1, 1)]).Alpha!.Value;

        var pairwise = UnitizingAlpha.PairwiseForStudy(study);

        Assert.Null(UnitizingAlpha.ForStudy(study).Alpha);
        Assert.Equal(((anaBen * 60) + (benChloe * 40)) / 100, pairwise.Alpha!.Value, 12);
        Assert.Equal(2, pairwise.Tasks);
    }

    [Fact]
    public void NoUnits_OrOneRater_IsUndefined()
    {
        Assert.Null(UnitizingAlpha.Compute(0, 100, 2, 1, []).Alpha);
        Assert.Null(UnitizingAlpha.Compute(0, 100, 1, 1, [new(0, 5, 0, 0)]).Alpha);
    }

    [Fact]
    public void OverlappingUnitsOfOneRater_AreMergedNotDoubleCounted()
    {
        var merged = UnitizingAlpha.Compute(0, 100, 2, 1, [new(10, 10, 0, 0), new(15, 10, 0, 0), new(10, 15, 1, 0)]);
        Assert.Equal(1.0, merged.Alpha);
    }

    [Fact]
    public void UnitOutsideTheContinuum_IsRejected() =>
        Assert.Throws<AgreementInputException>(() => UnitizingAlpha.Compute(0, 100, 2, 1, [new(95, 10, 0, 0)]));
}
