using Portal.Core.Taxonomy;
using Portal.Data.Entities;

namespace Portal.Web.Taxonomy;

/// <summary>Turns a starter template into the first published version of a project's taxonomy.</summary>
public static class TaxonomyVersionFactory
{
    public static TaxonomyVersion FromTemplate(TaxonomyTemplate template, Guid taxonomyId, int number, Guid publishedById, DateTime publishedAt)
    {
        var version = new TaxonomyVersion
        {
            Id = Guid.CreateVersion7(),
            TaxonomyId = taxonomyId,
            Number = number,
            PublishedAt = publishedAt,
            PublishedById = publishedById,
            Notes = $"Created from the template \"{template.Title}\".",
        };

        var order = 0;
        foreach (var (control, index) in template.Controls.Select((c, i) => (c, i)))
        {
            var entity = new TaxonomyControl
            {
                Id = Guid.CreateVersion7(),
                TaxonomyVersionId = version.Id,
                Name = control.Name,
                Kind = control.Kind,
                Prompt = control.Prompt,
                Required = control.Required,
                SortOrder = index,
            };
            version.Controls.Add(entity);
            AddLabels(control.Labels, parentKey: null, parentPath: null);

            void AddLabels(IReadOnlyList<TemplateLabel> labels, Guid? parentKey, string? parentPath)
            {
                foreach (var label in labels)
                {
                    var path = parentPath is null ? label.Name : $"{parentPath} / {label.Name}";
                    var key = Guid.CreateVersion7();
                    version.Labels.Add(new Label
                    {
                        Id = Guid.CreateVersion7(),
                        TaxonomyVersionId = version.Id,
                        ControlId = entity.Id,
                        Key = key,
                        ParentKey = parentKey,
                        Name = label.Name,
                        Path = path,
                        Color = label.Color,
                        Hotkey = label.Hotkey,
                        Description = label.Description,
                        SortOrder = order++,
                    });
                    AddLabels(label.Children, key, path);
                }
            }
        }

        return version;
    }
}
