using System.Text.Json;
using Portal.Core.Labeling;

namespace Portal.Core.ImportExport;

/// <summary>
/// What a Label Studio annotation or prediction said that Portal's own result does not hold: its id, its regions' ids
/// (relations refer to them) keyed by the Portal value they became, and the results Portal does not model (relations,
/// free text, boxes…) exactly as written. Stored beside the imported row so an export writes them back.
/// </summary>
/// <param name="ToName">The object (Text tag) its regions point at; "text" when the file did not say.</param>
public sealed record LabelStudioSource(JsonElement? Id, IReadOnlyDictionary<string, string> RegionIds, IReadOnlyList<JsonElement> Kept, string ToName = "text")
{
    public static readonly LabelStudioSource None = new(null, new Dictionary<string, string>(), []);

    /// <summary>The key of a span's region: its question, label and UTF-16 offsets.</summary>
    public static string SpanKey(SpanValue span) => $"s|{span.Control}|{span.Label:N}|{span.Start}|{span.End}";

    /// <summary>The key of a question's choices region (Label Studio writes one region for all of a question's choices).</summary>
    public static string ChoiceKey(string control) => $"c|{control}";

    /// <summary>The key of a free-text question's textarea region.</summary>
    public static string TextKey(string control) => $"t|{control}";

    public static LabelStudioSource Parse(string? json)
    {
        if (json is null)
        {
            return None;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        JsonElement? id = root.TryGetProperty("id", out var i) ? i.Clone() : null;
        var regions = root.TryGetProperty("regions", out var r) && r.ValueKind == JsonValueKind.Object
            ? r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : [];
        var kept = root.TryGetProperty("kept", out var k) && k.ValueKind == JsonValueKind.Array ? k.EnumerateArray().Select(e => e.Clone()).ToList() : [];
        var to = root.TryGetProperty("to_name", out var t) && t.GetString() is { Length: > 0 } name ? name : "text";
        return new LabelStudioSource(id, regions, kept, to);
    }
}

/// <summary>Gathers a <see cref="LabelStudioSource"/> while one annotation or prediction is read.</summary>
public sealed class LabelStudioSourceBuilder(JsonElement item)
{
    private readonly Dictionary<string, string> regions = new(StringComparer.Ordinal);
    private readonly List<JsonElement> kept = [];
    private string? toName;

    public void Region(string key, JsonElement region)
    {
        if (toName is null && region.TryGetProperty("to_name", out var to) && to.ValueKind == JsonValueKind.String)
        {
            toName = to.GetString();
        }

        if (region.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            regions.TryAdd(key, id.ToString());
        }
    }

    public void Keep(JsonElement region) => kept.Add(region);

    /// <summary>The source as stored; null when there is nothing to keep (no id, no region ids, nothing kept).</summary>
    public string? ToJson()
    {
        var hasId = item.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number;
        if (!hasId && regions.Count == 0 && kept.Count == 0 && toName is null or "text")
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (hasId)
            {
                json.WritePropertyName("id");
                id.WriteTo(json);
            }

            if (toName is not (null or "text"))
            {
                json.WriteString("to_name", toName);
            }

            json.WriteStartObject("regions");
            foreach (var (key, value) in regions)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteStartArray("kept");
            foreach (var region in kept)
            {
                region.WriteTo(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
