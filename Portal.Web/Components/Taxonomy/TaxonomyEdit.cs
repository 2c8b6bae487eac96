using Portal.Core.Taxonomy;

namespace Portal.Web.Components.Taxonomy;

/// <summary>One change the manager asked for: applied to the draft and saved by the page, which then says <see cref="Done"/> and selects <see cref="Select"/>.</summary>
public sealed record TaxonomyEdit(Func<TaxonomyDraft, TaxonomyDraft> Apply, string? Done = null, Guid? Select = null)
{
    /// <summary>A new label under <paramref name="parent"/> (in its color) or at the top level, selected once it is in the draft.</summary>
    public static TaxonomyEdit Add(TaxonomyModel model, TaxonomyQuestion question, Guid? parent, string name)
    {
        var color = parent is { } key ? model.Find(key)!.Value.Label.Color : "#9e9e9e";
        var added = Guid.CreateVersion7();
        return new TaxonomyEdit(d => d.Add(question.Name, parent, name, color, key: added), $"\"{name}\" added to the draft.", added);
    }
}
