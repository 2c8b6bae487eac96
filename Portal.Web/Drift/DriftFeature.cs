namespace Portal.Web.Drift;

public static class DriftFeature
{
    public static IServiceCollection AddDrift(this IServiceCollection services)
    {
        services.AddScoped<IDriftCheck, RetestCheck>();
        services.AddScoped<RelabelReport>();
        return services;
    }
}
