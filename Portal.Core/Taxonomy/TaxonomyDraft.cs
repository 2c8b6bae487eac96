using System.Text.RegularExpressions;

namespace Portal.Core.Taxonomy;

/// <summary>A problem in a taxonomy, tied to a label where there is one.</summary>
public sealed record TaxonomyProblem(Guid? Key, string Field, string Message);

/// <summary>
/// Edits on a draft taxonomy: every operation returns a new draft and records what publishing must do with existing
/// annotations (<see cref="Changes"/>). Labels that exist in the published version are never removed: a label in
/// use can be merged into another, split, or deprecated instead. <paramref name="Published"/> holds the keys of the
/// version the draft started from.
/// </summary>
public sealed partial record TaxonomyDraft(int BaseVersion, TaxonomyModel Model, IReadOnlyList<LabelChange> Changes, IReadOnlySet<Guid> Published)
{
    public static TaxonomyDraft From(int baseVersion, TaxonomyModel published) =>
        new(baseVersion, published, [], published.AllLabels.Select(x => x.Label.Key).ToHashSet());

    public TaxonomyDraft Add(string control, Guid? parentKey, string name, string color, string? hotkey = null, Guid? key = null)
    {
        var question = Model.Controls.FirstOrDefault(c => c.Name == control) ?? throw new TaxonomyEditException("Control", $"There is no question \"{control}\".");
        if (question.Kind == ControlKind.FreeText)
        {
            throw new TaxonomyEditException("Control", $"\"{question.Prompt}\" is a free-text question: annotators write the answer, so it has no labels.");
        }

        if (parentKey is not null && question.Kind == ControlKind.Relations)
        {
            throw new TaxonomyEditException("Parent", "Relation types are one level: they have no parent.");
        }

        if (parentKey is { } parent && question.Labels.All(l => l.Key != parent))
        {
            throw new TaxonomyEditException("Parent", "The parent label is not in this question.");
        }

        var label = new TaxonomyLabel(key ?? Guid.CreateVersion7(), parentKey, name.Trim(), color, string.IsNullOrWhiteSpace(hotkey) ? null : hotkey.Trim());
        return this with
        {
            Model = Replace(question, question with { Labels = TaxonomyModel.TreeOrder([.. question.Labels, label]) }),
            Changes = [.. Changes, new LabelChange(LabelChangeKind.Add, label.Key)],
        };
    }

    public TaxonomyDraft Rename(Guid key, string name)
    {
        var (_, label) = Get(key);
        name = name.Trim();
        return name == label.Name ? this : Update(label with { Name = name }, new LabelChange(LabelChangeKind.Rename, key));
    }

    /// <summary>Moves a label (with its children) under <paramref name="newParent"/>, or to the top with null.</summary>
    public TaxonomyDraft Move(Guid key, Guid? newParent)
    {
        var (control, label) = Get(key);
        if (newParent is { } parent)
        {
            if (control.Labels.All(l => l.Key != parent))
            {
                throw new TaxonomyEditException("Parent", "A label can only move under a label of the same question.");
            }

            if (control.Kind == ControlKind.Relations)
            {
                throw new TaxonomyEditException("Parent", "Relation types are one level: they have no parent.");
            }

            if (Model.Subtree(key).Contains(parent))
            {
                throw new TaxonomyEditException("Parent", $"\"{label.Name}\" cannot move under itself or one of its own children.");
            }
        }

        return label.ParentKey == newParent ? this : Update(label with { ParentKey = newParent }, new LabelChange(LabelChangeKind.Move, key));
    }

    /// <summary>Color, hotkey and the guideline texts: no effect on annotations, so no recorded change.</summary>
    public TaxonomyDraft Describe(Guid key, string color, string? hotkey, string? description, string? examples, string? counterExamples)
    {
        var (_, label) = Get(key);
        return Update(label with
        {
            Color = color.Trim(), Hotkey = Blank(hotkey), Description = Blank(description), Examples = Blank(examples), CounterExamples = Blank(counterExamples),
        }, change: null);
    }

    /// <summary>
    /// Merges <paramref name="source"/> into <paramref name="target"/>: on publish, annotations move to the target;
    /// the source's children move under the target; the source leaves the tree.
    /// </summary>
    public TaxonomyDraft Merge(Guid source, Guid target)
    {
        var (control, from) = Get(source);
        var (targetControl, into) = Get(target);
        if (source == target || control.Name != targetControl.Name)
        {
            throw new TaxonomyEditException("Target", "Merge into another label of the same question.");
        }

        if (Model.Subtree(source).Contains(target))
        {
            throw new TaxonomyEditException("Target", $"\"{from.Name}\" cannot merge into one of its own children; move that child out first.");
        }

        if (into.IsDeprecated)
        {
            throw new TaxonomyEditException("Target", $"\"{into.Name}\" is deprecated; merge into a label annotators can still use.");
        }

        var labels = control.Labels.Where(l => l.Key != source).Select(l => l.ParentKey == source ? l with { ParentKey = target } : l).ToList();
        // A merge of a label that was merged into this one before now points at the final target.
        var changes = Changes.Select(c => c.Kind == LabelChangeKind.Merge && c.Into == source ? c with { Into = target } : c).ToList();
        changes.Add(new LabelChange(LabelChangeKind.Merge, source, target));
        return this with { Model = Replace(control, control with { Labels = TaxonomyModel.TreeOrder(labels) }), Changes = changes };
    }

    /// <summary>
    /// Splits a label into new ones beside it (same parent and color); the original is deprecated, and on publish its
    /// annotations go to the relabel queue to be sorted into the parts.
    /// </summary>
    public TaxonomyDraft Split(Guid key, IReadOnlyList<string> names)
    {
        var (control, label) = Get(key);
        var parts = names.Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
        if (parts.Count < 2)
        {
            throw new TaxonomyEditException("Parts", "Split into at least two labels.");
        }

        var draft = this;
        var keys = new List<Guid>();
        foreach (var part in parts)
        {
            var partKey = Guid.CreateVersion7();
            keys.Add(partKey);
            draft = draft.Add(control.Name, label.ParentKey, part, label.Color, key: partKey);
        }

        draft = draft.Update(draft.Get(key).Label with { IsDeprecated = true, Hotkey = null }, new LabelChange(LabelChangeKind.Split, key, Parts: keys));
        return draft;
    }

    /// <summary>Hides a label from annotators; on publish its annotations go to the relabel queue.</summary>
    public TaxonomyDraft Deprecate(Guid key)
    {
        var (_, label) = Get(key);
        return label.IsDeprecated ? this : Update(label with { IsDeprecated = true, Hotkey = null }, new LabelChange(LabelChangeKind.Deprecate, key));
    }

    /// <summary>Removes a label added in this draft. A published label may be in use: merge or deprecate it instead.</summary>
    public TaxonomyDraft Remove(Guid key)
    {
        var (control, label) = Get(key);
        if (Published.Contains(key))
        {
            throw new TaxonomyEditException("Label", $"\"{label.Name}\" is part of a published version and may be used by annotations: merge it into another label or deprecate it instead.");
        }

        var removed = Model.Subtree(key).ToHashSet();
        if (removed.Any(Published.Contains))
        {
            throw new TaxonomyEditException("Label", $"\"{label.Name}\" has published labels below it; move them out first.");
        }

        return this with
        {
            Model = Replace(control, control with { Labels = [.. control.Labels.Where(l => !removed.Contains(l.Key))] }),
            Changes = [.. Changes.Where(c => !removed.Contains(c.Key))],
        };
    }

    /// <summary>Every problem that would stop publishing, each naming its label.</summary>
    public IReadOnlyList<TaxonomyProblem> Validate() => Validate(Model);

    public static IReadOnlyList<TaxonomyProblem> Validate(TaxonomyModel model)
    {
        var problems = new List<TaxonomyProblem>();
        foreach (var control in model.Controls)
        {
            var keys = control.Labels.Select(l => l.Key).ToHashSet();
            if (control.Kind == ControlKind.FreeText && control.Labels.Count > 0)
            {
                problems.Add(new(control.Labels[0].Key, "Control", $"\"{control.Prompt}\" is a free-text question: it has no labels."));
            }

            foreach (var label in control.Labels)
            {
                var path = model.PathOf(label.Key);
                if (string.IsNullOrWhiteSpace(label.Name))
                {
                    problems.Add(new(label.Key, "Name", $"A label in \"{control.Prompt}\" has no name."));
                }
                else if (label.Name.Length > 100 || label.Name.Contains(" / ", StringComparison.Ordinal))
                {
                    problems.Add(new(label.Key, "Name", $"\"{label.Name}\": a name has at most 100 characters and no \" / \" (it separates levels)."));
                }

                if (!HexColor().IsMatch(label.Color))
                {
                    problems.Add(new(label.Key, "Color", $"\"{path}\": the color must look like #1E88E5."));
                }

                if (label.Hotkey is { } hotkey && (hotkey.Length != 1 || hotkey == "?" || char.IsWhiteSpace(hotkey[0])))
                {
                    problems.Add(new(label.Key, "Hotkey", $"\"{path}\": a hotkey is one character other than \"?\"."));
                }

                if (label.ParentKey is { } parent && !keys.Contains(parent))
                {
                    problems.Add(new(label.Key, "Parent", $"\"{label.Name}\" has a parent that is not in \"{control.Prompt}\"."));
                }

                if (HasCycle(control, label))
                {
                    problems.Add(new(label.Key, "Parent", $"\"{label.Name}\" is its own ancestor (a cycle)."));
                }
            }

            foreach (var siblings in control.Labels.GroupBy(l => (l.ParentKey, Name: l.Name.Trim().ToUpperInvariant())).Where(g => g.Count() > 1 && g.Key.Name.Length > 0))
            {
                var first = siblings.First();
                problems.Add(new(siblings.Skip(1).First().Key, "Name",
                    $"Two labels are called \"{first.Name}\" under {(first.ParentKey is { } p ? $"\"{model.PathOf(p)}\"" : "the top level")} of \"{control.Prompt}\"."));
            }

            foreach (var clash in control.Labels.Where(l => !l.IsDeprecated && l.Hotkey is not null)
                         .GroupBy(l => l.Hotkey!.ToUpperInvariant()).Where(g => g.Count() > 1))
            {
                problems.Add(new(clash.Skip(1).First().Key, "Hotkey",
                    $"The hotkey \"{clash.First().Hotkey}\" is used by {string.Join(" and ", clash.Select(l => $"\"{model.PathOf(l.Key)}\""))}."));
            }
        }

        // Span hotkeys work across all span questions at once.
        foreach (var clash in model.Controls.Where(c => c.Kind == ControlKind.Spans).SelectMany(c => c.Labels.Select(l => (c, l)))
                     .Where(x => !x.l.IsDeprecated && x.l.Hotkey is not null)
                     .GroupBy(x => x.l.Hotkey!.ToUpperInvariant()).Where(g => g.Select(x => x.c.Name).Distinct().Count() > 1))
        {
            problems.Add(new(clash.Last().l.Key, "Hotkey", $"The hotkey \"{clash.First().l.Hotkey}\" is used in two span questions."));
        }

        return problems;
    }

    private static bool HasCycle(TaxonomyQuestion control, TaxonomyLabel label)
    {
        var seen = new HashSet<Guid> { label.Key };
        var current = label.ParentKey;
        while (current is { } key)
        {
            if (!seen.Add(key))
            {
                return key == label.Key;
            }

            current = control.Labels.FirstOrDefault(l => l.Key == key)?.ParentKey;
        }

        return false;
    }

    private (TaxonomyQuestion Control, TaxonomyLabel Label) Get(Guid key) =>
        Model.Find(key) ?? throw new TaxonomyEditException("Label", "That label is not in this taxonomy (it may have been merged or removed).");

    private TaxonomyDraft Update(TaxonomyLabel label, LabelChange? change)
    {
        var (control, _) = Get(label.Key);
        var labels = TaxonomyModel.TreeOrder([.. control.Labels.Select(l => l.Key == label.Key ? label : l)]);
        return this with
        {
            Model = Replace(control, control with { Labels = labels }),
            Changes = change is null || Changes.Contains(change) ? Changes : [.. Changes, change],
        };
    }

    private TaxonomyModel Replace(TaxonomyQuestion old, TaxonomyQuestion updated) =>
        new([.. Model.Controls.Select(c => c.Name == old.Name ? updated : c)]);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();
}
