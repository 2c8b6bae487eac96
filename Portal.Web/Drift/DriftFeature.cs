namespace Portal.Web.Drift;

public static class DriftFeature
{
    public static IServiceCollection AddDrift(this IServiceCollection services)
    {
        services.AddScoped<IDriftCheck, TaxonomyChangeCheck>();
        services.AddScoped<IDriftCheck, AgeCheck>();
        return services;
    }
}
