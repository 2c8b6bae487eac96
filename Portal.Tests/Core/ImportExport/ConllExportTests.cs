using System.Text.Json;
using Portal.Core.ImportExport;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.ImportExport;

public class ConllExportTests
{
    /// <summary>Reference cases made by Reference/make_conll_reference.py with NLTK 3.8 and Label Studio's tag rule.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Reference().GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    private static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "Portal.Tests", "Core", "ImportExport", "Reference", "conll_reference.json"))).RootElement;

    [Theory]
    [MemberData(nameof(Cases))]
    public void TokensAndTags_MatchLabelStudiosExport(string name)
    {
        var c = Reference().GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var text = c.GetProperty("text").GetString()!;
        var spans = c.GetProperty("spans").EnumerateArray()
            .Select(s => new ConllSpan(s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32(), s.GetProperty("label").GetString()!));

        var (tokens, tags) = ConllExport.TokensAndTags(text, spans);

        Assert.Equal(c.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()), tokens);
        Assert.Equal(c.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), tags);
    }

    [Fact]
    public void Write_HeaderThenOneLinePerTokenAndABlankLinePerDocument()
    {
        using var writer = new StringWriter();
        ConllExport.WriteHeader(writer);
        ConllExport.WriteDocument(writer, "Ana flew to Rome.", [new ConllSpan(0, 3, "Person"), new ConllSpan(12, 16, "City")]);

        Assert.Equal("-DOCSTART- -X- O\nAna -X- _ B-Person\nflew -X- _ O\nto -X- _ O\nRome -X- _ B-City\n. -X- _ O\n\n", writer.ToString());
    }
}
