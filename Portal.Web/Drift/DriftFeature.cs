namespace Portal.Web.Drift;

public static class DriftFeature
{
    public static IServiceCollection AddDrift(this IServiceCollection services)
    {
        services.AddScoped<IDriftCheck, LabelDistributionShiftCheck>();
        services.AddScoped<IDriftCheck, AgreementDropCheck>();
        services.AddScoped<IDriftCheck, GoldDropCheck>();
        return services;
    }
}
