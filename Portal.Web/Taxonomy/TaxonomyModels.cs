using Portal.Core.Taxonomy;

namespace Portal.Web.Taxonomy;

public sealed record VersionInfo(Guid Id, int Number, DateTime PublishedAt, string PublishedBy, string? Notes);

/// <summary>What the taxonomy page edits: the draft (or the current version as a fresh draft) and the version list.</summary>
public sealed record TaxonomyEditorState(
    string ProjectName, TaxonomyDraft Draft, bool HasSavedDraft, int ConcurrencyVersion, int CurrentNumber, IReadOnlyList<VersionInfo> Versions);

/// <summary>What one change of the draft does to existing work when it is published (<paramref name="Kind"/> null: a definition edit).</summary>
public sealed record ChangeImpact(LabelChangeKind? Kind, string Description, string Effect, int Annotations, int Tasks, int GroundTruths, int Drafts);

/// <summary>The stored form of a draft (the published keys as a list, for JSON).</summary>
internal sealed record DraftDocument(int BaseVersion, TaxonomyModel Model, List<LabelChange> Changes, List<Guid> Published)
{
    public static DraftDocument Of(TaxonomyDraft draft) => new(draft.BaseVersion, draft.Model, [.. draft.Changes], [.. draft.Published]);

    public TaxonomyDraft ToDraft() => new(BaseVersion, Model, Changes, Published.ToHashSet());
}
