using System.Xml;
using System.Xml.Linq;

namespace Portal.Core.Taxonomy;

/// <summary>
/// A Label Studio labeling config (<c>&lt;View&gt;…&lt;/View&gt;</c>) as a starting label set: each <c>Labels</c> is a span
/// question, each <c>Choices</c> a single or multiple choice question, each <c>Taxonomy</c> a hierarchical choice (nested
/// <c>Choice</c>), each <c>TextArea</c> a free-text question and <c>Relations</c> (with its <c>Relation</c> types) a
/// relation question. Tags Portal has no equivalent for are refused by
/// name and line, rather than dropped, so a team does not find a question missing later.
/// </summary>
public static class LabelStudioConfig
{
    /// <summary>Layout and the text object carry no question; they are allowed and skipped.</summary>
    private static readonly HashSet<string> Layout = new(StringComparer.Ordinal) { "View", "Header", "Text", "Style" };

    /// <summary>
    /// The data field a config's text object reads (<c>&lt;Text name="text" value="$reviewText"/&gt;</c> gives
    /// "reviewText"); null when the config has no Text tag with a <c>$field</c> value. Not XML is an error naming the file.
    /// </summary>
    public static string? TextField(string fileName, string content)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(content.TrimStart('\uFEFF'), LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            throw new FormatException($"{fileName}, line {ex.LineNumber}: not valid XML ({ex.Message.Split(". ")[0]}).");
        }

        return document.Descendants().Where(e => e.Name.LocalName is "Text" or "HyperText" or "Paragraphs")
            .Select(e => (string?)e.Attribute("value")).FirstOrDefault(v => v is { Length: > 1 } && v[0] == '$')?[1..];
    }

    public static (TaxonomyTemplate? Template, IReadOnlyList<string> Errors) Read(string fileName, string content)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(content.TrimStart('\uFEFF'), LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            return (null, [$"{fileName}, line {ex.LineNumber}: not valid XML ({ex.Message.Split(". ")[0]})."]);
        }

        var root = document.Root!;
        if (root.Name.LocalName != "View")
        {
            return (null, [$"{fileName}, line {Line(root)}: a labeling config starts with <View>, not <{root.Name.LocalName}>."]);
        }

        var errors = new List<string>();
        var controls = new List<TemplateControl>();
        var colours = 0;
        foreach (var element in root.DescendantsAndSelf())
        {
            var tag = element.Name.LocalName;
            var where = $"{fileName}, line {Line(element)}";
            var parent = element.Parent?.Name.LocalName;
            switch (tag)
            {
                case "Labels" or "Choices" or "Taxonomy" or "TextArea" or "Relations":
                    if (Control(element, where, ref colours, errors) is { } control)
                    {
                        if (controls.Any(c => c.Name == control.Name))
                        {
                            errors.Add($"{where}: the name \"{control.Name}\" is used by two questions.");
                        }

                        controls.Add(control);
                    }

                    break;
                case "Label" when parent == "Labels":
                case "Choice" when parent == "Choices":
                case "Choice" when parent is "Taxonomy" || (parent == "Choice" && element.Ancestors().Any(a => a.Name.LocalName == "Taxonomy")):
                case "Relation" when parent == "Relations":
                    break;
                case "Label" or "Choice" or "Relation":
                    errors.Add($"{where}: <{tag}> belongs directly inside <{tag switch { "Label" => "Labels", "Choice" => "Choices", _ => "Relations" }}>, not <{parent}>.");
                    break;
                case var other when !Layout.Contains(other):
                    errors.Add($"{where}: <{other}> is not supported; Portal takes <View>, <Header>, <Text>, <Labels> with <Label>, <Choices> with <Choice>, " +
                        "<Taxonomy> with nested <Choice>, <TextArea> and <Relations> with <Relation>.");
                    break;
            }
        }

        if (errors.Count == 0 && controls.Count == 0)
        {
            errors.Add($"{fileName}: the config has no <Labels>, <Choices>, <Taxonomy>, <TextArea> or <Relations>.");
        }

        return errors.Count > 0 ? (null, errors) : (StartingTaxonomy.Template(fileName, controls), []);
    }

    private static TemplateControl? Control(XElement element, string where, ref int colours, List<string> errors)
    {
        var tag = element.Name.LocalName;
        // Label Studio's <Relations> usually has no name (relations carry none in results); Portal needs one.
        var name = (string?)element.Attribute("name") ?? (tag == "Relations" ? "relations" : null);
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{where}: <{tag}> needs a name.");
            return null;
        }

        if (tag == "TextArea" && (string?)element.Attribute("perRegion") == "true")
        {
            errors.Add($"{where}: a per-region <TextArea> (perRegion=\"true\") is not supported; Portal's free-text questions are about the whole text.");
            return null;
        }

        var kind = tag switch
        {
            "Taxonomy" => ControlKind.HierarchicalChoice,
            "TextArea" => ControlKind.FreeText,
            "Relations" => ControlKind.Relations,
            _ => ControlKind.Spans,
        };
        if (tag == "Choices")
        {
            var choice = (string?)element.Attribute("choice") ?? "single";
            kind = choice switch
            {
                "single" or "single-radio" => ControlKind.SingleChoice,
                "multiple" => ControlKind.MultipleChoice,
                _ => default,
            };
            if (kind == default)
            {
                errors.Add($"{where}: choice=\"{choice}\" is not supported; use single, single-radio or multiple.");
                return null;
            }
        }

        var labels = Options(element, name, where.Split(", line")[0], ref colours, errors);
        var prompt = kind == ControlKind.FreeText ? (string?)element.Attribute("placeholder") is { Length: > 0 } placeholder ? placeholder : name : name;
        return new TemplateControl(name, kind, prompt, (string?)element.Attribute("required") == "true", labels);
    }

    /// <summary>The labels of a question; a Taxonomy's nested choices become child labels.</summary>
    private static List<TemplateLabel> Options(XElement element, string question, string file, ref int colours, List<string> errors)
    {
        var labels = new List<TemplateLabel>();
        foreach (var option in element.Elements().Where(e => e.Name.LocalName is "Label" or "Choice" or "Relation"))
        {
            var value = (string?)option.Attribute("value") ?? (string?)option.Attribute("alias");
            if (string.IsNullOrWhiteSpace(value) || labels.Any(l => l.Name == value))
            {
                errors.Add($"{file}, line {Line(option)}: " + (string.IsNullOrWhiteSpace(value) ? $"<{option.Name.LocalName}> needs a value." : $"\"{value}\" is in \"{question}\" twice."));
                continue;
            }

            var colour = (string?)option.Attribute("background") is { } c && c.StartsWith('#') ? c : StartingTaxonomy.Palette[colours++ % StartingTaxonomy.Palette.Length];
            var children = option.Name.LocalName == "Choice" ? Options(option, question, file, ref colours, errors) : [];
            labels.Add(new TemplateLabel(value, colour, (string?)option.Attribute("hotkey"), (string?)option.Attribute("hint"), children));
        }

        return labels;
    }

    private static int Line(XElement element) => ((IXmlLineInfo)element).LineNumber;
}
