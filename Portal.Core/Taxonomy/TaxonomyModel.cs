namespace Portal.Core.Taxonomy;

/// <summary>A label of a taxonomy; <see cref="Key"/> is its identity across versions (a rename or move keeps it).</summary>
public sealed record TaxonomyLabel(
    Guid Key, Guid? ParentKey, string Name, string Color, string? Hotkey = null, string? Description = null,
    string? Examples = null, string? CounterExamples = null, bool IsDeprecated = false);

/// <summary>One question of a taxonomy with its labels in display order (parents before their children).</summary>
public sealed record TaxonomyQuestion(string Name, ControlKind Kind, string Prompt, bool Required, IReadOnlyList<TaxonomyLabel> Labels);

/// <summary>
/// A change recorded in a draft, as publishing needs it: rename and move keep the key; merge sends annotations of
/// <see cref="Key"/> to <see cref="Into"/>; split and deprecate send them to the relabel queue.
/// </summary>
public sealed record LabelChange(LabelChangeKind Kind, Guid Key, Guid? Into = null, IReadOnlyList<Guid>? Parts = null);

/// <summary>A whole taxonomy (a published version or a draft's tree), immutable.</summary>
public sealed record TaxonomyModel(IReadOnlyList<TaxonomyQuestion> Controls)
{
    public IEnumerable<(TaxonomyQuestion Control, TaxonomyLabel Label)> AllLabels =>
        Controls.SelectMany(c => c.Labels.Select(l => (c, l)));

    public (TaxonomyQuestion Control, TaxonomyLabel Label)? Find(Guid key)
    {
        foreach (var control in Controls)
        {
            foreach (var label in control.Labels)
            {
                if (label.Key == key)
                {
                    return (control, label);
                }
            }
        }

        return null;
    }

    /// <summary>Names from the root, joined by " / " (stops at a cycle or a missing parent rather than looping).</summary>
    public string PathOf(Guid key)
    {
        var names = new List<string>();
        var seen = new HashSet<Guid>();
        Guid? current = key;
        while (current is { } k && seen.Add(k) && Find(k) is { } found)
        {
            names.Add(found.Label.Name);
            current = found.Label.ParentKey;
        }

        names.Reverse();
        return string.Join(" / ", names);
    }

    public int DepthOf(Guid key) => PathOf(key).Split(" / ").Length - 1;

    /// <summary>The label and everything below it.</summary>
    public IReadOnlyList<Guid> Subtree(Guid key)
    {
        var found = Find(key);
        if (found is null)
        {
            return [];
        }

        var result = new List<Guid> { key };
        for (var i = 0; i < result.Count; i++)
        {
            result.AddRange(found.Value.Control.Labels.Where(l => l.ParentKey == result[i]).Select(l => l.Key));
        }

        return result;
    }

    /// <summary>Labels in tree order (each parent followed by its children, siblings in their current order).</summary>
    public static IReadOnlyList<TaxonomyLabel> TreeOrder(IReadOnlyList<TaxonomyLabel> labels)
    {
        var keys = labels.Select(l => l.Key).ToHashSet();
        var byParent = labels.ToLookup(l => l.ParentKey is { } p && keys.Contains(p) ? p : (Guid?)null);
        var ordered = new List<TaxonomyLabel>(labels.Count);
        var visited = new HashSet<Guid>();
        void Visit(Guid? parent)
        {
            foreach (var label in byParent[parent])
            {
                if (visited.Add(label.Key))
                {
                    ordered.Add(label);
                    Visit(label.Key);
                }
            }
        }

        Visit(null);
        // Labels in a cycle are unreachable from a root; keep them (validation reports the cycle).
        ordered.AddRange(labels.Where(l => !visited.Contains(l.Key)));
        return ordered;
    }
}

/// <summary>An edit a taxonomy does not allow, with the field it is about.</summary>
public sealed class TaxonomyEditException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
