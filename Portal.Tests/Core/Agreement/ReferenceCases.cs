using System.Text.Json;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Agreement;

/// <summary>
/// The published worked examples of ../shared/reference/agreement, one JSON file per family, copied into the repo so
/// the tests stand alone; <see cref="ReferenceCopyTests"/> fails when the copy and ../shared drift apart.
/// </summary>
public static class ReferenceCases
{
    public static string Folder => Path.Combine(RepoPaths.Root, "Portal.Tests", "Core", "Agreement", "Reference");

    public static string SharedFolder => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "reference", "agreement"));

    public static JsonElement Case(string file, string id)
    {
        var path = Path.Combine(Folder, file);
        Assert.True(File.Exists(path), $"Reference file {path} is missing.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var match = document.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => (c.TryGetProperty("id", out var i) ? i.GetString() : c.GetProperty("name").GetString()) == id);
        return match.Clone();
    }

    public static IEnumerable<JsonElement> Cases(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, file)));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    public static double Tolerance(JsonElement c, string key = "*") => c.GetProperty("tolerance") switch
    {
        { ValueKind: JsonValueKind.Number } n => n.GetDouble(),
        { ValueKind: JsonValueKind.Object } o => o.TryGetProperty(key, out var k) ? k.GetDouble() : o.GetProperty("*").GetDouble(),
        _ => 1e-9,
    };

    /// <summary>Asserts |actual - expected| ≤ tolerance, naming the figure.</summary>
    public static void Near(double expected, double? actual, double tolerance, string what)
    {
        Assert.True(actual is not null, $"{what}: expected {expected}, got null");
        Assert.True(Math.Abs(expected - actual!.Value) <= tolerance, $"{what}: expected {expected} ± {tolerance}, got {actual}");
    }

    public static IReadOnlyList<IReadOnlyList<string?>> Matrix(JsonElement input) =>
        [.. input.GetProperty("matrix").EnumerateArray().Select(row =>
            (IReadOnlyList<string?>)[.. row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.ToString())])];
}

public class ReferenceCopyTests
{
    [Fact]
    public void VendoredReferenceFiles_EqualTheSharedOnes_WhenSharedIsPresent()
    {
        var copies = Directory.GetFiles(ReferenceCases.Folder, "*.json").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(7, copies.Count);
        if (!Directory.Exists(ReferenceCases.SharedFolder))
        {
            return; // a checkout without the steering repository beside it: the copies are all there is
        }

        var shared = Directory.GetFiles(ReferenceCases.SharedFolder, "*.json").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(shared, copies);
        foreach (var name in shared)
        {
            Assert.True(
                File.ReadAllText(Path.Combine(ReferenceCases.SharedFolder, name!)) == File.ReadAllText(Path.Combine(ReferenceCases.Folder, name!)),
                $"{name} differs from ../shared/reference/agreement: copy the new version into Portal.Tests/Core/Agreement/Reference.");
        }
    }
}
