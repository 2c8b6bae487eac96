namespace Portal.Core.Taxonomy;

/// <summary>
/// A new project's first label set from a file instead of a built-in template: the JSON or CSV a label set exports
/// (<see cref="TaxonomyFile"/>) or a Label Studio labeling config (<see cref="LabelStudioConfig"/>). All or nothing:
/// every problem is returned with its line or position, and no template.
/// </summary>
public static class StartingTaxonomy
{
    /// <summary>Label colours in turn for labels the file gives none.</summary>
    public static readonly string[] Palette = ["#e57373", "#64b5f6", "#81c784", "#ffb74d", "#ba68c8", "#4db6ac", "#f06292", "#a1887f", "#90a4ae", "#dce775"];

    public static (TaxonomyTemplate? Template, IReadOnlyList<string> Errors) FromFile(string fileName, string content)
    {
        if (fileName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
        {
            return LabelStudioConfig.Read(fileName, content);
        }

        var (rows, errors) = TaxonomyFile.Read(fileName, content);
        return errors.Count > 0 ? (null, errors) : FromRows(fileName, rows);
    }

    /// <summary>Questions in the order they first appear; a label's parent path must come before it. Deprecated rows are left out.</summary>
    public static (TaxonomyTemplate? Template, IReadOnlyList<string> Errors) FromRows(string fileName, IReadOnlyList<TaxonomyRow> rows)
    {
        var errors = new List<string>();
        var questions = new List<(string Name, string Prompt, ControlKind Kind, List<Node> Roots, Dictionary<string, Node> ByPath)>();
        var colours = 0;
        foreach (var row in rows.Where(r => !r.Deprecated))
        {
            if (string.IsNullOrWhiteSpace(row.Question))
            {
                errors.Add($"{row.Where}: the label has no question.");
                continue;
            }

            var index = questions.FindIndex(q => q.Name == row.Question);
            if (index < 0)
            {
                if (Kind(row.Kind) is not { } kind)
                {
                    errors.Add($"{row.Where}: the kind \"{row.Kind}\" is not one Portal knows; use spans, single, multiple, hierarchical, text or relations.");
                    continue;
                }

                questions.Add((row.Question, row.Prompt ?? row.Question, kind, [], new Dictionary<string, Node>(StringComparer.Ordinal)));
                index = questions.Count - 1;
            }

            var question = questions[index];
            if (row.Kind is not null && Kind(row.Kind) != question.Kind)
            {
                errors.Add($"{row.Where}: the question \"{row.Question}\" was given another kind on an earlier row.");
                continue;
            }

            if (row.Path.Length == 0)
            {
                // A question row without a label: how a free-text question (which has none) is written.
                continue;
            }

            var parts = row.Path.Split('/').Select(p => p.Trim()).ToList();
            var path = string.Join(" / ", parts);
            var parentPath = string.Join(" / ", parts[..^1]);
            if (Problem(row, question.Kind, question.ByPath, parts) is { } problem)
            {
                errors.Add($"{row.Where}: {problem}");
            }
            else
            {
                var node = new Node(parts[^1], row.Color ?? Palette[colours++ % Palette.Length], row.Hotkey, row.Description);
                (parts.Count > 1 ? question.ByPath[parentPath].Children : question.Roots).Add(node);
                question.ByPath[path] = node;
            }
        }

        if (errors.Count == 0 && questions.Count == 0)
        {
            errors.Add($"{fileName}: there are no labels in it.");
        }

        return errors.Count > 0 ? (null, errors)
            : (Template(fileName, [.. questions.Select(q => new TemplateControl(q.Name, q.Kind, q.Prompt, false, [.. q.Roots.Select(n => n.ToTemplate())]))]), []);
    }

    /// <summary>What is wrong with a label row of a question, if anything.</summary>
    private static string? Problem(TaxonomyRow row, ControlKind kind, Dictionary<string, Node> byPath, List<string> parts)
    {
        var path = string.Join(" / ", parts);
        var parentPath = string.Join(" / ", parts[..^1]);
        return kind == ControlKind.FreeText ? $"\"{row.Question}\" is a free-text question, which has no labels; leave the path empty."
            : kind == ControlKind.Relations && parts.Count > 1 ? $"\"{path}\": relation types are one level, without a parent."
            : parts.Any(p => p.Length == 0) ? $"\"{row.Path}\" has an empty level."
            : byPath.ContainsKey(path) ? $"\"{path}\" is in \"{row.Question}\" twice."
            : parts.Count > 1 && !byPath.ContainsKey(parentPath) ? $"the parent \"{parentPath}\" is not in the label set; put its row above this one."
            : row.Hotkey is { } hotkey && byPath.Values.Any(n => n.Hotkey == hotkey) ? $"the hotkey \"{hotkey}\" is taken by another label of \"{row.Question}\"."
            : null;
    }

    public static TaxonomyTemplate Template(string fileName, IReadOnlyList<TemplateControl> controls) =>
        new("file", Path.GetFileName(fileName), $"The label set of {Path.GetFileName(fileName)}.", controls);

    /// <summary>The name a file gives a question's kind (read back by <see cref="FromRows"/>).</summary>
    public static string KindName(ControlKind kind) => kind switch
    {
        ControlKind.SingleChoice => "single",
        ControlKind.MultipleChoice => "multiple",
        ControlKind.HierarchicalChoice => "hierarchical",
        ControlKind.FreeText => "text",
        ControlKind.Relations => "relations",
        _ => "spans",
    };

    private static ControlKind? Kind(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "spans" => ControlKind.Spans,
        "single" or "singlechoice" => ControlKind.SingleChoice,
        "multiple" or "multiplechoice" => ControlKind.MultipleChoice,
        "hierarchical" or "hierarchicalchoice" => ControlKind.HierarchicalChoice,
        "text" or "freetext" or "textarea" => ControlKind.FreeText,
        "relations" or "relation" => ControlKind.Relations,
        _ => null,
    };

    private sealed record Node(string Name, string Color, string? Hotkey, string? Description)
    {
        public List<Node> Children { get; } = [];

        public TemplateLabel ToTemplate() => new(Name, Color, Hotkey, Description, [.. Children.Select(c => c.ToTemplate())]);
    }
}
