namespace Portal.Web.Taxonomy;

public static class TaxonomyFeature
{
    public static IServiceCollection AddTaxonomy(this IServiceCollection services) => services.AddScoped<TaxonomyService>().AddScoped<LabelDefinitionService>();
}
