using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Tests.Core.Agreement;
using Portal.Tests.TestSupport;
using Portal.Web.Cli;

namespace Portal.Tests.Web.Agreement;

/// <summary>The `agreement` verb: a stable interface, so its keys, nulls, exit codes and messages are tested here.</summary>
public sealed class AgreementCommandTests : IDisposable
{
    private readonly string folder = TempFolder.Create();

    public void Dispose() => TempFolder.Delete(folder);

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await AgreementCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The bratiaa reference documents as a Label Studio export: each document a task, padded text.</summary>
    private string BratiaaExport()
    {
        var c = ReferenceCases.Case("span_f1.json", "bratiaa_agree2_exact_f1").GetProperty("input");
        var annotations = c.GetProperty("annotations[annotator][doc] = [label,start,end]");
        var tasks = new JsonArray();
        var id = 0;
        foreach (var document in c.GetProperty("documents").EnumerateArray().Select(d => d.GetString()!))
        {
            var task = new JsonObject
            {
                ["id"] = ++id,
                ["data"] = new JsonObject { ["text"] = new string('x', 3000) },
                ["annotations"] = new JsonArray([.. c.GetProperty("annotators").EnumerateArray().Select(a => (JsonNode)new JsonObject
                {
                    ["completed_by"] = new JsonObject { ["id"] = a.GetString(), ["email"] = a.GetString() + "@example.test" },
                    ["result"] = new JsonArray([.. annotations.GetProperty(a.GetString()!).GetProperty(document).EnumerateArray().Select(s => (JsonNode)new JsonObject
                    {
                        ["from_name"] = "label",
                        ["to_name"] = "text",
                        ["type"] = "labels",
                        ["value"] = new JsonObject { ["start"] = s[1].GetInt32(), ["end"] = s[2].GetInt32(), ["labels"] = new JsonArray(s[0].GetString()) },
                    })]),
                })]),
            };
            tasks.Add(task);
        }

        return Write("bratiaa.json", tasks.ToJsonString());
    }

    [Fact]
    public async Task LabelStudioExport_SpanControl_GivesTheReferenceF1_AndOnlyJsonOnStdout()
    {
        var (code, stdout, stderr) = await RunAsync(BratiaaExport());

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var report = JsonNode.Parse(stdout)!;
        Assert.Equal(2, report["tasks"]!.GetValue<int>());
        Assert.Equal(2, report["annotators"]!.GetValue<int>());
        var label = report["controls"]!["label"]!;
        ReferenceCases.Near(0.7878787878787878, label["spanF1Exact"]!["mean"]!.GetValue<double>(), 1e-12, "spanF1Exact.mean");
        var pair = label["spanF1Exact"]!["pairs"]![0]!;
        Assert.Equal((13, 3, 4), (pair["tp"]!.GetValue<int>(), pair["fpA"]!.GetValue<int>(), pair["fpB"]!.GetValue<int>()));
        Assert.Equal("ann1@example.test", pair["a"]!.GetValue<string>());
        ReferenceCases.Near(0.6, label["spanF1Exact"]!["perLabel"]!["ORG"]!.GetValue<double>(), 1e-12, "perLabel ORG");
        Assert.True(label["spanF1Overlap"]!["mean"]!.GetValue<double>() >= 0.7878787878787878);
        Assert.NotNull(label["alphaUnitizing"]);
        Assert.NotNull(label["alphaUnitizingPerLabel"]!["PER"]);
    }

    [Fact]
    public async Task ReliabilityCsv_KrippendorffCanonicalExample_EveryLevel()
    {
        var c = ReferenceCases.Case("alpha.json", "krippendorff_canonical_4x12");
        var matrix = ReferenceCases.Matrix(c.GetProperty("input"));
        var lines = new List<string> { "unit,c1,c2,c3,c4" };
        for (var u = 0; u < matrix[0].Count; u++)
        {
            lines.Add($"u{u + 1}," + string.Join(",", matrix.Select(row => row[u] ?? "")));
        }

        var file = Write("canonical.csv", string.Join("\n", lines) + "\n");
        var full = c.GetProperty("full_precision_reference");
        foreach (var level in new[] { "nominal", "ordinal", "interval", "ratio" })
        {
            var (code, stdout, _) = await RunAsync(file, "--format", "reliability-csv", "--level", level);
            Assert.Equal(0, code);
            var report = JsonNode.Parse(stdout)!;
            ReferenceCases.Near(full.GetProperty(level).GetDouble(), report["krippendorffAlpha"]!.GetValue<double>(), 1e-9, level);
            Assert.Equal(level, report["level"]!.GetValue<string>());
            Assert.Equal(12, report["units"]!.GetValue<int>());
            Assert.Equal(4, report["coders"]!.GetValue<int>());
            ReferenceCases.Near(0.8, report["percentAgreement"]!.GetValue<double>(), 1e-12, "percentAgreement");
            Assert.Null(report["fleissKappa"]);
            Assert.Null(report["cohenKappa"]);
            Assert.Equal(6, report["pairwise"]!.AsArray().Count);
        }
    }

    [Fact]
    public async Task ReliabilityCsv_OneCoderWithValues_PrintsNullsNotNaN()
    {
        var file = Write("lonely.csv", "unit,a,b\nu1,1,\nu2,,\n");
        var (code, stdout, _) = await RunAsync(file, "--format", "reliability-csv");
        Assert.Equal(0, code);
        Assert.DoesNotContain("NaN", stdout, StringComparison.Ordinal);
        var report = JsonNode.Parse(stdout)!;
        Assert.Null(report["krippendorffAlpha"]);
        Assert.Null(report["percentAgreement"]);
        Assert.Null(report["cohenKappa"]);
    }

    [Fact]
    public async Task ChoiceControl_ReportsReliabilityKeys_MajorityVoteAndDawidSkene()
    {
        var file = Write("choices.json", """
            [
              {"id": 1, "data": {"text": "a"}, "annotations": [
                {"completed_by": {"email": "x@t"}, "result": [{"from_name": "s", "type": "choices", "value": {"choices": ["Neg"]}}]},
                {"completed_by": {"email": "y@t"}, "result": [{"from_name": "s", "type": "choices", "value": {"choices": ["Pos"]}}]}]},
              {"id": 2, "data": {"text": "b"}, "annotations": [
                {"completed_by": {"email": "x@t"}, "result": [{"from_name": "s", "type": "choices", "value": {"choices": ["Pos"]}}]},
                {"completed_by": {"email": "y@t"}, "result": [{"from_name": "s", "type": "choices", "value": {"choices": ["Pos"]}}]}]}
            ]
            """);
        var (code, stdout, _) = await RunAsync(file);
        Assert.Equal(0, code);
        var s = JsonNode.Parse(stdout)!["controls"]!["s"]!;
        Assert.Equal(2, s["units"]!.GetValue<int>());
        Assert.Equal(0.5, s["percentAgreement"]!.GetValue<double>());
        Assert.NotNull(s["cohenKappa"]);
        Assert.Equal("Neg", s["majorityVote"]!["1"]!.GetValue<string>());
        Assert.Equal("Pos", s["majorityVote"]!["2"]!.GetValue<string>());
        Assert.NotNull(s["dawidSkene"]!["1"]);
    }

    [Theory]
    [InlineData("[{\"id\": 1,", "line 1: not valid JSON")]
    [InlineData("[{\"id\": 7, \"data\": {\"text\": \"abc\"}, \"annotations\": [{\"completed_by\": 1, \"result\": [{\"from_name\": \"l\", \"type\": \"labels\", \"value\": {\"start\": 1, \"end\": 9, \"labels\": [\"A\"]}}]}]}]", "task 7: span [1, 9) of \"l\" is outside the text")]
    [InlineData("[{\"id\": 8, \"data\": {\"text\": \"abc\"}, \"annotations\": [{\"completed_by\": 1, \"result\": [{\"from_name\": \"l\", \"type\": \"labels\", \"value\": {\"start\": 2, \"end\": 1, \"labels\": [\"A\"]}}]}]}]", "task 8: span [2, 1) of \"l\" ends before it starts")]
    [InlineData("[{\"id\": 3, \"data\": {}}, {\"id\": 3, \"data\": {}}]", "task 3: duplicate task id")]
    [InlineData("{\"tasks\": []}", "expected a JSON array of tasks")]
    public async Task BadLabelStudioInput_OneLineErrorNamingFileAndPlace_ExitCode2(string content, string message)
    {
        var file = Write("bad.json", content);
        var (code, stdout, stderr) = await RunAsync(file);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(file, stderr, StringComparison.Ordinal);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("unit,a,b\nu1,1\n", "line 2: expected 3 cells")]
    [InlineData("unit,a,b\nu1,1,2\nu1,2,2\n", "line 3: unit \"u1\" appears twice")]
    [InlineData("coder,a,b\n", "line 1: the header must be")]
    [InlineData("unit,a,b\nu1,\"1,2\n", "line 2: a quoted cell is not closed")]
    public async Task BadCsv_OneLineErrorWithTheLine_ExitCode2(string content, string message)
    {
        var file = Write("bad.csv", content);
        var (code, stdout, stderr) = await RunAsync(file, "--format", "reliability-csv");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRegionTypes_AreReportedOnStderr_AndSkipped()
    {
        var file = Write("mixed.json", """
            [{"id": 1, "data": {"text": "abc"}, "annotations": [{"completed_by": 1, "result": [
              {"from_name": "box", "type": "rectanglelabels", "value": {"x": 1}},
              {"from_name": "l", "type": "labels", "value": {"start": 0, "end": 2, "labels": ["A"]}}]}]}]
            """);
        var (code, stdout, stderr) = await RunAsync(file);
        Assert.Equal(0, code);
        Assert.Contains("rectanglelabels", stderr, StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(stdout)!["controls"]!["box"]);
    }

    [Theory]
    [InlineData("--level", "fuzzy")]
    [InlineData("--format", "xml")]
    public async Task BadOptions_ExitCode2(string option, string value)
    {
        var file = Write("ok.csv", "unit,a,b\nu1,1,1\n");
        var (code, _, stderr) = await RunAsync(file, "--format", "reliability-csv", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("agreement:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_ExitCode2()
    {
        var (code, _, stderr) = await RunAsync(Path.Combine(folder, "nope.json"));
        Assert.Equal(2, code);
        Assert.Contains("cannot be read", stderr, StringComparison.Ordinal);
    }
}
