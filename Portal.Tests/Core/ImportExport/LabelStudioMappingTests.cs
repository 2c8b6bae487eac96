using System.Text.Json;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;

namespace Portal.Tests.Core.ImportExport;

/// <summary>A read task's Label Studio predictions and annotations as Portal results, without a database.</summary>
public class LabelStudioMappingTests
{
    private static readonly Guid Person = Guid.NewGuid();
    private static readonly Guid Place = Guid.NewGuid();
    private static readonly Guid Old = Guid.NewGuid();
    private static readonly Guid Urgent = Guid.NewGuid();
    private static readonly Guid Ana = Guid.NewGuid();
    private static readonly Guid Importer = Guid.NewGuid();
    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static readonly KnownQuestion[] Questions =
    [
        new("entities", ControlKind.Spans, "Mark the entities", [new(Person, "PER", "PER", false), new(Place, "LOC", "Places/LOC", false), new(Old, "MISC", "MISC", true)]),
        new("priority", ControlKind.SingleChoice, "How urgent?", [new(Urgent, "urgent", "urgent", false)]),
    ];

    private static ImportNameResolver Resolver(ImportMappings? mappings = null) =>
        new(Questions, mappings ?? ImportMappings.None, new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase) { ["ana@example.com"] = Ana }, Importer);

    private static TaskRecord Record(string text, string extras) =>
        new("tasks.json", 7, "t1", text, null, JsonDocument.Parse($$"""{"data":{"text":{{JsonSerializer.Serialize(text)}}},{{extras}}}""").RootElement.Clone());

    private static MappedTask Map(TaskRecord record, ImportNameResolver resolver, ImportedAnnotations mode, out TaskRowError? error, PiiMasked? masked = null) =>
        LabelStudioMapping.Map(record, masked ?? new PiiMasked(record.Text, []), resolver, mode, Now, out error);

    private static string Span(string from, int start, int end, string label) =>
        $$$"""{"from_name":"{{{from}}}","to_name":"text","type":"labels","value":{"start":{{{start}}},"end":{{{end}}},"labels":["{{{label}}}"]}}""";

    private static string Choice(string from, string choice) =>
        $$$"""{"from_name":"{{{from}}}","to_name":"text","type":"choices","value":{"choices":["{{{choice}}}"]}}""";

    [Fact]
    public void Predictions_BecomeLabelKeysOnTheMaskedText_ByNameOrPath()
    {
        const string text = "Mail ana@example.com before Berlin closes.";
        var berlin = text.IndexOf("Berlin", StringComparison.Ordinal);
        var record = Record(text, $$"""
            "predictions":[{"model_version":"ner-3","result":[{{Span("entities", berlin, berlin + 6, "Places/LOC")}},{{Choice("priority", "urgent")}}]},{"result":[]}]
            """);
        var masked = PiiMasking.Mask(text, [PiiMasking.Email]);
        var resolver = Resolver();

        var mapped = Map(record, resolver, ImportedAnnotations.Refuse, out var error, masked);

        Assert.Null(error);
        Assert.Equal(["ner-3", "imported"], mapped.Predictions.Select(p => p.Model));
        var span = Assert.Single(mapped.Predictions[0].Result.Spans);
        Assert.Equal(("entities", Place, "Berlin"), (span.Control, span.Label, masked.Text[span.Start..span.End]));
        Assert.Equal([new AnswerValue("priority", Urgent)], mapped.Predictions[0].Result.Answers);
        Assert.True(mapped.HasRows);
        Assert.False(resolver.Waiting);
    }

    [Fact]
    public void Annotations_AreRefusedUnlessChosen_AndGroundTruthTakesTheFirstNotCancelled()
    {
        var record = Record("Anna lives in Rome.", $$"""
            "annotations":[{"was_cancelled":true,"completed_by":1,"result":[{{Span("entities", 0, 4, "LOC")}}]},
                           {"completed_by":{"email":"ana@example.com"},"result":[{{Span("entities", 0, 4, "PER")}}]}]
            """);

        var refused = Map(record, Resolver(), ImportedAnnotations.Refuse, out var refusal);
        var truth = Map(record, Resolver(), ImportedAnnotations.GroundTruth, out var truthError);

        Assert.Same(MappedTask.None, refused);
        Assert.Equal(("tasks.json", 7L, "annotations"), (refusal!.Where, refusal.Line, refusal.Field));
        Assert.Contains("1 annotation(s)", refusal.Reason, StringComparison.Ordinal);
        Assert.Null(truthError);
        Assert.Equal([new SpanValue("entities", Person, 0, 4)], truth.Truth!.Spans);
        Assert.Empty(truth.Annotations);
    }

    [Fact]
    public void Annotations_BelongToTheirPeople_WithDatesAndLeadTime_AndUnknownPeopleWait()
    {
        var record = Record("Anna lives in Rome.", $$"""
            "annotations":[{"completed_by":{"email":"ANA@example.com"},"created_at":"2025-05-01T10:00:00Z","lead_time":2.5,"result":[{{Span("entities", 14, 18, "LOC")}}]},
                           {"completed_by":{"email":"bo@example.com"},"result":[]}]
            """);
        var resolver = Resolver();

        var mapped = Map(record, resolver, ImportedAnnotations.Annotations, out var error);

        Assert.Null(error);
        var annotation = Assert.Single(mapped.Annotations);
        Assert.Equal((Ana, new DateTime(2025, 5, 1, 10, 0, 0, DateTimeKind.Utc), 2500L), (annotation.UserId, annotation.Created, annotation.LeadTimeMs));
        Assert.Equal(annotation.Created, annotation.Updated);
        Assert.Equal([new SpanValue("entities", Place, 14, 18)], annotation.Result.Spans);
        Assert.True(resolver.Waiting);
        Assert.Equal([new UnknownAnnotator("bo@example.com", 1)], resolver.Decisions().Annotators);
    }

    [Theory]
    [InlineData("""{"completed_by":{"email":"ana@example.com"},"result":[{"from_name":"entities","type":"labels"}]}""", "has no value")]
    [InlineData("""{"completed_by":{"email":"ana@example.com"},"result":[{"from_name":"entities","type":"labels","value":{"start":3,"end":99,"labels":["PER"]}}]}""", "outside the text")]
    [InlineData("""{"completed_by":{"email":"ana@example.com"},"result":[{"from_name":"priority","type":"labels","value":{"start":0,"end":4,"labels":["urgent"]}}]}""", "takes choices")]
    public void ABadAnnotation_IsARowError_AndNothingOfTheRowIsKept(string annotations, string reason)
    {
        var record = Record("Anna lives in Rome.", $"\"predictions\":[{{\"result\":[{Span("entities", 0, 4, "PER")}]}}],\"annotations\":[{annotations}]");

        var mapped = Map(record, Resolver(), ImportedAnnotations.Annotations, out var error);

        Assert.Same(MappedTask.None, mapped);
        Assert.Contains(reason, error!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownNames_AreCountedOncePerRow_MappingsPlaceThem_AndDeprecatedLabelsAreUnknown()
    {
        var mappings = new ImportMappings(Questions: [new("ner", "entities")], Labels: [new("entities", "person", Person)]);
        var resolver = Resolver(mappings);
        var row = Record("Anna and Bo met.", $$"""
            "predictions":[{"result":[{{Span("ner", 0, 4, "person")}},{{Span("ner", 9, 11, "MISC")}},{{Span("ner", 9, 11, "MISC")}},{{Choice("mood", "calm")}}]}]
            """);

        var first = Map(row, resolver, ImportedAnnotations.Refuse, out var error);
        Map(row, resolver, ImportedAnnotations.Refuse, out _);

        Assert.Null(error);
        Assert.Equal([new SpanValue("entities", Person, 0, 4)], first.Predictions[0].Result.Spans);
        var decisions = resolver.Decisions();
        Assert.True(decisions.Any);
        Assert.Equal([new UnknownQuestion("mood", "choices", 2)], decisions.Questions);
        Assert.Equal([new UnknownLabel("entities", "MISC", 2)], decisions.Labels);
        Assert.Empty(decisions.Annotators);
    }

    [Fact]
    public void ARowWithoutLabelStudioFields_BringsNothing()
    {
        var record = new TaskRecord("tasks.csv", 2, null, "Plain text.", null, null);

        var mapped = Map(record, Resolver(), ImportedAnnotations.Refuse, out var error);

        Assert.Null(error);
        Assert.False(mapped.HasRows);
    }

    [Fact]
    public void AnAnnotationWithoutCompletedBy_BelongsToTheImportingUser_AndASecondOneBySamePersonIsCounted()
    {
        var record = Record("Anna lives in Rome.", $$"""
            "annotations":[{"result":[{{Span("entities", 0, 4, "PER")}}]},{"result":[]},{"was_cancelled":true,"completed_by":1,"result":[]}]
            """);

        var mapped = Map(record, Resolver(), ImportedAnnotations.Annotations, out var error);

        Assert.Null(error);
        var annotation = Assert.Single(mapped.Annotations);
        Assert.Equal(Importer, annotation.UserId);
        var summary = mapped.Tally!.ToSummary();
        Assert.Equal((3L, 1L), (summary.AnnotationsRead, summary.AnnotationsImported));
        Assert.Contains(summary.NotImported, l => l.Count == 1 && l.What.Contains("same person", StringComparison.Ordinal));
        Assert.Contains(summary.NotImported, l => l.Count == 1 && l.What.Contains("cancelled", StringComparison.Ordinal));
        Assert.Contains(summary.Converted, l => l.Count == 2 && l.What.Contains("importing user", StringComparison.Ordinal));
    }

    [Fact]
    public void RelationsFreeTextAndBoxes_AreKeptAsWritten_WithTheirRegionIds_AndTheSpansImported()
    {
        var record = Record("Anna lives in Rome.", """
            "annotations":[{"id":41,"completed_by":{"email":"ana@example.com"},"result":[
              {"id":"r1","from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":4,"text":"Anna","labels":["PER"]}},
              {"id":"r2","from_name":"entities","to_name":"text","type":"labels","value":{"start":14,"end":18,"text":"Rome","labels":["LOC"]}},
              {"from_id":"r1","to_id":"r2","type":"relation","direction":"right","labels":["lives in"]},
              {"id":"t1","from_name":"note","to_name":"text","type":"textarea","value":{"text":["Résumé 👍"]}},
              {"id":"b1","from_name":"box","type":"rectanglelabels","value":{}}]}]
            """);

        var mapped = Map(record, Resolver(), ImportedAnnotations.Annotations, out var error);

        Assert.Null(error);
        var annotation = Assert.Single(mapped.Annotations);
        Assert.Equal(2, annotation.Result.Spans.Count);
        var source = LabelStudioSource.Parse(annotation.SourceJson);
        Assert.Equal("41", source.Id.ToString());
        Assert.Equal(["relation", "textarea", "rectanglelabels"], source.Kept.Select(k => k.GetProperty("type").GetString()));
        Assert.Equal("Résumé 👍", source.Kept[1].GetProperty("value").GetProperty("text")[0].GetString());
        Assert.Equal("r2", source.RegionIds[LabelStudioSource.SpanKey(new SpanValue("entities", Place, 14, 18))]);
        var summary = mapped.Tally!.ToSummary();
        Assert.Equal((5L, 2L, 3L), (summary.RegionsRead, summary.RegionsImported, summary.RegionsKeptVerbatim));
    }

    [Theory]
    [InlineData("\U0001F468\U0001F3FB\u200D\U0001F692 firemen drive firetrucks", 19, 29, "firetrucks")] // ZWJ sequence with a skin tone
    [InlineData("\U0001F4A9This is an annotation.", 12, 22, "annotation")]
    [InlineData("\U00020BB7野家 and Cafe\u0301 Zu\u0308rich", 0, 3, "\U00020BB7野家")] // CJK Ext-B
    [InlineData("\U00020BB7野家 and Cafe\u0301 Zu\u0308rich", 8, 13, "Cafe\u0301")] // combining acute accent
    [InlineData("\U00020BB7野家 and Cafe\u0301 Zu\u0308rich", 14, 21, "Zu\u0308rich")]
    public void SpanOffsets_AreCodePoints_AndBecomeUtf16(string text, int start, int end, string expected)
    {
        var record = Record(text, $$$"""
            "predictions":[{"result":[{"id":"x","from_name":"entities","to_name":"text","type":"labels","value":{"start":{{{start}}},"end":{{{end}}},"text":{{{JsonSerializer.Serialize(expected)}}},"labels":["PER"]}}]}]
            """);

        var mapped = Map(record, Resolver(), ImportedAnnotations.Refuse, out var error);

        Assert.Null(error);
        var span = Assert.Single(mapped.Predictions[0].Result.Spans);
        Assert.Equal(expected, text[span.Start..span.End]);
        Assert.Empty(mapped.Warnings);
    }

    [Fact]
    public void ARegionWhoseTextDiffers_IsImportedAsGiven_WithAWarningNamingTaskAndRegion()
    {
        var record = Record("Meeting on February 22 in Rome.", """
            "predictions":[{"result":[{"id":"reg-7","from_name":"entities","to_name":"text","type":"labels","value":{"start":11,"end":21,"text":"February 22","labels":["PER"]}}]}]
            """);

        var mapped = Map(record, Resolver(), ImportedAnnotations.Refuse, out var error);

        Assert.Null(error);
        Assert.Equal(new SpanValue("entities", Person, 11, 21), Assert.Single(mapped.Predictions[0].Result.Spans));
        var warning = Assert.Single(mapped.Warnings);
        Assert.Equal("region reg-7", warning.Field);
        Assert.Contains("task t1, region reg-7", warning.Reason, StringComparison.Ordinal);
        Assert.Contains("\"February 2\"", warning.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelStudio0xCompletions_AreReadAsAnnotations()
    {
        var record = Record("Anna lives in Rome.", $$"""
            "completions":[{"id":9,"lead_time":4,"result":[{{Span("entities", 14, 18, "LOC")}}]}]
            """);

        var mapped = Map(record, Resolver(), ImportedAnnotations.Annotations, out var error);

        Assert.Null(error);
        var annotation = Assert.Single(mapped.Annotations);
        Assert.Equal((Importer, 4000L), (annotation.UserId, annotation.LeadTimeMs));
        Assert.Contains(mapped.Tally!.ToSummary().Converted, l => l.What.Contains("completions", StringComparison.Ordinal));
    }

    [Fact]
    public void GroundTruthMode_TakesTheFlaggedAnnotation_AndCountsTheOthers()
    {
        var record = Record("Anna lives in Rome.", $$"""
            "annotations":[{"completed_by":1,"result":[{{Span("entities", 0, 4, "LOC")}}]},
                           {"completed_by":2,"ground_truth":true,"result":[{{Span("entities", 0, 4, "PER")}}]}]
            """);

        var mapped = Map(record, Resolver(), ImportedAnnotations.GroundTruth, out var error);

        Assert.Null(error);
        Assert.Equal([new SpanValue("entities", Person, 0, 4)], mapped.Truth!.Spans);
        var summary = mapped.Tally!.ToSummary();
        Assert.Equal((2L, 1L), (summary.AnnotationsRead, summary.AnnotationsImported));
        Assert.Equal(1L, Assert.Single(summary.NotImported).Count);
    }

    [LabelStudioFixtureFact]
    public void RealNonAsciiFile_GivesTheSameCoNllAsLabelStudiosConverter()
    {
        var questions = new KnownQuestion[]
        {
            new("ner", ControlKind.Spans, "Entities", [.. new[] { "Product", "Fact", "Location", "Organization" }.Select(n => new KnownLabel(Guid.NewGuid(), n, n, false))]),
        };
        var names = questions[0].Labels.ToDictionary(l => l.Key, l => l.Name);
        var resolver = new ImportNameResolver(questions, ImportMappings.None, new Dictionary<string, Guid> { ["annotator1@ls.example"] = Ana });
        using var tasks = JsonDocument.Parse(LabelStudioFixtures.Read("derived_nonascii.json"));
        using var conll = new StringWriter();
        ConllExport.WriteHeader(conll);
        foreach (var task in tasks.RootElement.EnumerateArray())
        {
            var text = task.GetProperty("data").GetProperty("text").GetString()!;
            var record = new TaskRecord("derived_nonascii.json", 1, task.GetProperty("id").ToString(), text, null, task);
            var mapped = Map(record, resolver, ImportedAnnotations.Annotations, out var error);
            Assert.Null(error);
            Assert.Empty(mapped.Warnings);
            var spans = mapped.Annotations.Single().Result.Spans;
            ConllExport.WriteDocument(conll, text, spans.Select(s => new ConllSpan(s.Start, s.End, names[s.Label])));
        }

        Assert.Equal(LabelStudioFixtures.Read("expected_converter_derived_nonascii.conll").ReplaceLineEndings("\n"), conll.ToString());
    }

    private static readonly Guid LivesIn = Guid.NewGuid();
    private static readonly Guid BornIn = Guid.NewGuid();

    /// <summary>The project of <see cref="Questions"/> with a relation question and a free-text question "note".</summary>
    private static ImportNameResolver RelationResolver() => new(
        [.. Questions, new("links", ControlKind.Relations, "Link them", [new(LivesIn, "lives in", "lives in", false), new(BornIn, "born in", "born in", false)]),
            new("note", ControlKind.FreeText, "A note", [])],
        ImportMappings.None, new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase) { ["ana@example.com"] = Ana }, Importer);

    [Fact]
    public async Task RelationsAndFreeText_WithSuchQuestions_BecomePortalValues_AndExportBackWithTheirRegionIds()
    {
        var record = Record("Anna lives in Rome.", """
            "annotations":[{"id":41,"completed_by":{"email":"ana@example.com"},"result":[
              {"from_id":"r1","to_id":"r2","type":"relation","direction":"right","labels":["lives in","born in"]},
              {"from_id":"r2","to_id":"b1","type":"relation","direction":"right","labels":[]},
              {"id":"r1","from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":4,"text":"Anna","labels":["PER"]}},
              {"id":"r2","from_name":"entities","to_name":"text","type":"labels","value":{"start":14,"end":18,"text":"Rome","labels":["LOC"]}},
              {"id":"t1","from_name":"note","to_name":"text","type":"textarea","value":{"text":["Résumé 👍","second line"]}},
              {"id":"b1","from_name":"box","type":"rectanglelabels","value":{}}]}]
            """);
        var anna = new SpanValue("entities", Person, 0, 4);
        var rome = new SpanValue("entities", Place, 14, 18);

        var mapped = Map(record, RelationResolver(), ImportedAnnotations.Annotations, out var error);

        Assert.Null(error);
        var annotation = Assert.Single(mapped.Annotations);
        Assert.Equal([new RelationValue("links", anna, rome, LivesIn), new RelationValue("links", anna, rome, BornIn)], annotation.Result.Relations);
        Assert.Equal(new TextValue("note", "Résumé 👍\nsecond line"), Assert.Single(annotation.Result.Texts));
        var summary = mapped.Tally!.ToSummary();
        Assert.Equal((6L, 4L, 2L), (summary.RegionsRead, summary.RegionsImported, summary.RegionsKeptVerbatim));
        Assert.Contains(summary.NotImported, l => l.What.Contains("joining regions that are not spans", StringComparison.Ordinal));
        Assert.Contains(summary.Converted, l => l.What.Contains("several entries joined", StringComparison.Ordinal));

        var exported = await ExportAsync(annotation);
        using var document = JsonDocument.Parse(exported);
        var results = document.RootElement[0].GetProperty("annotations")[0].GetProperty("result").EnumerateArray().ToList();
        var relation = results.Single(r => r.GetProperty("type").GetString() == "relation" && r.GetProperty("labels").GetArrayLength() > 0);
        var text = results.Single(r => r.GetProperty("type").GetString() == "textarea");
        Assert.Equal(("r1", "r2", "lives in|born in"), (relation.GetProperty("from_id").GetString(), relation.GetProperty("to_id").GetString(),
            string.Join('|', relation.GetProperty("labels").EnumerateArray().Select(l => l.GetString()))));
        Assert.Equal(("t1", "note", "text"), (text.GetProperty("id").GetString(), text.GetProperty("from_name").GetString(), text.GetProperty("to_name").GetString()));

        var again = Map(Record("Anna lives in Rome.", $"\"annotations\":{document.RootElement[0].GetProperty("annotations").GetRawText()}"), RelationResolver(),
            ImportedAnnotations.Annotations, out var againError);
        Assert.Null(againError);
        Assert.Equal(annotation.Result.ToJson(), Assert.Single(again.Annotations).Result.ToJson());
    }

    [Fact]
    public void Relation_PointingLeft_IsTurnedRound()
    {
        var record = Record("Anna lives in Rome.", """
            "annotations":[{"result":[{"id":"a","from_name":"entities","to_name":"text","type":"labels","value":{"start":0,"end":4,"labels":["PER"]}},
              {"id":"b","from_name":"entities","to_name":"text","type":"labels","value":{"start":14,"end":18,"labels":["LOC"]}},
              {"from_id":"b","to_id":"a","type":"relation","direction":"left","labels":["lives in"]}]}]
            """);

        var mapped = Map(record, RelationResolver(), ImportedAnnotations.Annotations, out _);

        var relation = Assert.Single(Assert.Single(mapped.Annotations).Result.Relations);
        Assert.Equal((0, 14), (relation.From.Start, relation.To.Start));
    }

    private static async Task<string> ExportAsync(MappedAnnotation annotation)
    {
        var names = new ExportLabelNames(new Dictionary<Guid, string> { [Person] = "PER", [Place] = "LOC", [LivesIn] = "lives in", [BornIn] = "born in" });
        await using var text = new StringWriter();
        using var writer = new LabelStudioJsonWriter(text, names);
        await writer.StartAsync();
        await writer.WriteAsync(new ExportedTask(1, "t1", "Anna lives in Rome.", null,
            [new ExportedResult(7, "ana@example.com", annotation.Result, Now, Now, 0, "submitted") { Email = "ana@example.com", LabelStudioJson = annotation.SourceJson }], []));
        await writer.EndAsync();
        return text.ToString();
    }
}
