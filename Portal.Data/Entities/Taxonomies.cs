using Portal.Core.Taxonomy;

namespace Portal.Data.Entities;

/// <summary>A project's label set: a mutable draft and a list of immutable published versions.</summary>
public sealed class Taxonomy : IVersioned
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid? CurrentVersionId { get; set; }

    /// <summary>The draft being edited (JSON of the whole tree), null when there are no unpublished edits.</summary>
    public string? DraftJson { get; set; }

    public int Version { get; set; }

    public List<TaxonomyVersion> Versions { get; set; } = [];
}

/// <summary>A published taxonomy version; never changed after publishing.</summary>
public sealed class TaxonomyVersion
{
    public Guid Id { get; set; }
    public Guid TaxonomyId { get; set; }
    public int Number { get; set; }
    public DateTime PublishedAt { get; set; }
    public Guid PublishedById { get; set; }
    public string? Notes { get; set; }

    public List<TaxonomyControl> Controls { get; set; } = [];
    public List<Label> Labels { get; set; } = [];
}

/// <summary>One question of the labeling interface: span labels or a document-level choice.</summary>
public sealed class TaxonomyControl
{
    public Guid Id { get; set; }
    public Guid TaxonomyVersionId { get; set; }

    /// <summary>Stable name across versions; Label Studio's <c>from_name</c>.</summary>
    public required string Name { get; set; }

    public ControlKind Kind { get; set; }
    public required string Prompt { get; set; }
    public bool Required { get; set; }
    public int SortOrder { get; set; }
}

public sealed class Label
{
    public Guid Id { get; set; }
    public Guid TaxonomyVersionId { get; set; }
    public Guid ControlId { get; set; }

    /// <summary>Stable identity of the label across versions (a rename keeps it, a merge maps it).</summary>
    public Guid Key { get; set; }

    public Guid? ParentKey { get; set; }
    public required string Name { get; set; }

    /// <summary>Names from the root, joined by " / "; unique within a control of a version.</summary>
    public required string Path { get; set; }

    public required string Color { get; set; }
    public string? Hotkey { get; set; }
    public string? Description { get; set; }
    public string? Examples { get; set; }
    public string? CounterExamples { get; set; }
    public int SortOrder { get; set; }
    public bool IsDeprecated { get; set; }
}

/// <summary>One entry of the migration map between two consecutive versions.</summary>
public sealed class LabelMigration
{
    public long Id { get; set; }
    public Guid FromVersionId { get; set; }
    public Guid ToVersionId { get; set; }
    public LabelChangeKind Kind { get; set; }
    public Guid FromLabelKey { get; set; }

    /// <summary>The label annotations move to; null for deprecate and split (those go to the relabel queue).</summary>
    public Guid? ToLabelKey { get; set; }
}
