namespace Portal.Web.Drift;

public static class DriftFeature
{
    public static IServiceCollection AddDrift(this IServiceCollection services)
    {
        return services;
    }
}
