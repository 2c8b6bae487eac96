using System.Text.Json;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Drift;

/// <summary>The published worked values of the drift statistics (Reference/*.json, each case with its source).</summary>
public static class DriftReference
{
    public static JsonElement File(string name)
    {
        var path = Path.Combine(RepoPaths.Root, "Portal.Tests", "Core", "Drift", "Reference", name);
        Assert.True(System.IO.File.Exists(path), $"Reference file {path} is missing.");
        using var document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static JsonElement Case(string file, string id)
    {
        var match = File(file).GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        Assert.False(string.IsNullOrWhiteSpace(match.GetProperty("source").GetString()), $"{id} cites no source.");
        return match;
    }

    public static double[] Numbers(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetDouble())];

    public static double Tolerance(JsonElement c, string key) => c.GetProperty("tolerance") is { ValueKind: JsonValueKind.Object } o
        ? o.GetProperty(key).GetDouble()
        : c.GetProperty("tolerance").GetDouble();

    public static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected} ± {tolerance}, got {actual}");
}
