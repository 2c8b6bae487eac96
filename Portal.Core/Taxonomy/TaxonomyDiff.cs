namespace Portal.Core.Taxonomy;

/// <summary>One difference between two taxonomies, as a manager reads it.</summary>
public sealed record TaxonomyDiffEntry(LabelChangeKind? Kind, string Control, Guid Key, string? Before, string? After, string Description);

/// <summary>What changed between two versions (or a version and a draft), label by label, by stable key.</summary>
public static class TaxonomyDiff
{
    public static IReadOnlyList<TaxonomyDiffEntry> Between(TaxonomyModel before, TaxonomyModel after, LabelMigrationMap map)
    {
        var entries = new List<TaxonomyDiffEntry>();
        var old = before.AllLabels.ToDictionary(x => x.Label.Key);
        var now = after.AllLabels.ToDictionary(x => x.Label.Key);

        foreach (var (control, label) in before.AllLabels)
        {
            var path = before.PathOf(label.Key);
            if (!now.TryGetValue(label.Key, out var current))
            {
                var fate = map.Resolve(label.Key);
                entries.Add(fate.Kind == LabelFateKind.MapTo && now.ContainsKey(fate.Key)
                    ? new(LabelChangeKind.Merge, control.Name, label.Key, path, after.PathOf(fate.Key), $"\"{path}\" merged into \"{after.PathOf(fate.Key)}\"")
                    : new(null, control.Name, label.Key, path, null, $"\"{path}\" removed"));
                continue;
            }

            var newPath = after.PathOf(label.Key);
            var updated = current.Label;
            if (updated.IsDeprecated && !label.IsDeprecated)
            {
                var fate = map.Resolve(label.Key);
                var parts = map.Changes.FirstOrDefault(c => c.Kind == LabelChangeKind.Split && c.Key == label.Key)?.Parts ?? [];
                entries.Add(fate.Because == LabelChangeKind.Split
                    ? new(LabelChangeKind.Split, control.Name, label.Key, path, newPath,
                        $"\"{path}\" split into {string.Join(", ", parts.Where(now.ContainsKey).Select(p => $"\"{after.PathOf(p)}\""))}; its annotations go to relabeling")
                    : new(LabelChangeKind.Deprecate, control.Name, label.Key, path, newPath, $"\"{path}\" deprecated; its annotations go to relabeling"));
            }

            if (updated.Name != label.Name)
            {
                entries.Add(new(LabelChangeKind.Rename, control.Name, label.Key, path, newPath, $"\"{path}\" renamed to \"{updated.Name}\""));
            }

            if (updated.ParentKey != label.ParentKey)
            {
                entries.Add(new(LabelChangeKind.Move, control.Name, label.Key, path, newPath,
                    $"\"{updated.Name}\" moved from {Where(before, label.ParentKey)} to {Where(after, updated.ParentKey)}"));
            }

            var details = new List<string>();
            if (!string.Equals(updated.Color, label.Color, StringComparison.OrdinalIgnoreCase))
            {
                details.Add("color");
            }

            if (updated.Hotkey != label.Hotkey && !(updated.IsDeprecated && !label.IsDeprecated))
            {
                details.Add($"hotkey {label.Hotkey ?? "none"} → {updated.Hotkey ?? "none"}");
            }

            if (updated.Description != label.Description || updated.Examples != label.Examples || updated.CounterExamples != label.CounterExamples)
            {
                details.Add("description or examples");
            }

            if (details.Count > 0)
            {
                entries.Add(new(null, control.Name, label.Key, path, newPath, $"\"{newPath}\": {string.Join(", ", details)} changed"));
            }
        }

        foreach (var (control, label) in after.AllLabels.Where(x => !old.ContainsKey(x.Label.Key)))
        {
            var path = after.PathOf(label.Key);
            entries.Add(new(LabelChangeKind.Add, control.Name, label.Key, null, path, $"\"{path}\" added"));
        }

        return entries;
    }

    private static string Where(TaxonomyModel model, Guid? parent) => parent is { } p ? $"\"{model.PathOf(p)}\"" : "the top level";
}
