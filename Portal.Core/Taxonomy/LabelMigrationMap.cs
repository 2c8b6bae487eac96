namespace Portal.Core.Taxonomy;

public enum LabelFateKind
{
    /// <summary>The label stays (maybe renamed or moved): annotations keep it.</summary>
    Keep = 0,

    /// <summary>The label was merged: annotations move to <see cref="LabelFate.Key"/>.</summary>
    MapTo = 1,

    /// <summary>The label was split or deprecated: a person decides, in the relabel queue.</summary>
    Relabel = 2,
}

/// <param name="Key">The label annotations end up with (Keep, MapTo); the original key for Relabel.</param>
/// <param name="Because">The change that decided it (none for Keep without a change).</param>
public readonly record struct LabelFate(LabelFateKind Kind, Guid Key, LabelChangeKind? Because);

/// <summary>
/// What one publish (or a chain of them) does to each label key: the migration map between versions. Publishing
/// migrates annotations with it, and the agreement engine uses it to compare annotations made under different versions.
/// </summary>
public sealed class LabelMigrationMap
{
    private readonly Dictionary<Guid, LabelChange> changes = [];
    private readonly IReadOnlyList<LabelMigrationMap> chain;

    private LabelMigrationMap(IReadOnlyList<LabelMigrationMap> chain) => this.chain = chain;

    public static LabelMigrationMap Identity { get; } = new([]);

    /// <summary>The map of one publish. Later changes of a key win over earlier ones (a move after a rename is still a keep).</summary>
    public static LabelMigrationMap Of(IEnumerable<LabelChange> publishChanges)
    {
        var map = new LabelMigrationMap([]);
        foreach (var change in publishChanges)
        {
            if (change.Kind is LabelChangeKind.Merge or LabelChangeKind.Split or LabelChangeKind.Deprecate ||
                !map.changes.TryGetValue(change.Key, out var earlier) || earlier.Kind is LabelChangeKind.Rename or LabelChangeKind.Move or LabelChangeKind.Add)
            {
                map.changes[change.Key] = change;
            }
        }

        return map;
    }

    /// <summary>Version by version, oldest first: the map from the first version's labels to the last one's.</summary>
    public static LabelMigrationMap Chain(IEnumerable<LabelMigrationMap> maps) => new([.. maps]);

    public IEnumerable<LabelChange> Changes => chain.Count > 0 ? chain.SelectMany(m => m.Changes) : changes.Values;

    public LabelFate Resolve(Guid key)
    {
        if (chain.Count > 0)
        {
            var fate = new LabelFate(LabelFateKind.Keep, key, null);
            foreach (var map in chain)
            {
                var next = map.Resolve(fate.Key);
                if (next.Kind == LabelFateKind.Relabel)
                {
                    return new LabelFate(LabelFateKind.Relabel, key, next.Because);
                }

                fate = next.Kind == LabelFateKind.MapTo || fate.Kind == LabelFateKind.MapTo
                    ? new LabelFate(LabelFateKind.MapTo, next.Key, next.Because ?? fate.Because)
                    : next with { Because = next.Because ?? fate.Because };
            }

            return fate;
        }

        // Merges may point at labels that were merged on in the same publish: follow them (at most once each).
        var current = key;
        LabelChangeKind? because = null;
        var seen = new HashSet<Guid>();
        while (changes.TryGetValue(current, out var change) && seen.Add(current))
        {
            switch (change.Kind)
            {
                case LabelChangeKind.Merge when change.Into is { } into:
                    current = into;
                    because = LabelChangeKind.Merge;
                    continue;
                case LabelChangeKind.Split or LabelChangeKind.Deprecate:
                    return new LabelFate(LabelFateKind.Relabel, key, change.Kind);
                default:
                    because ??= change.Kind;
                    break;
            }

            break;
        }

        return new LabelFate(current == key ? LabelFateKind.Keep : LabelFateKind.MapTo, current, because);
    }
}
