namespace Portal.Web.Drift;

public static class DriftFeature
{
    public static IServiceCollection AddDrift(this IServiceCollection services)
    {
        services.AddSingleton<DriftPolicy>();
        services.AddScoped<DriftFindingStore>();
        services.AddScoped<DriftRunService>();
        services.AddScoped<DriftNightlyJob>();
        services.AddScoped<DriftFindingsService>();
        services.AddScoped<DriftSettingsService>();
        services.AddScoped<IDriftCheck, LabelDistributionShiftCheck>();
        services.AddScoped<IDriftCheck, AgreementDropCheck>();
        services.AddScoped<IDriftCheck, GoldDropCheck>();
        services.AddScoped<IDriftCheck, RetestCheck>();
        services.AddScoped<RelabelReport>();
        services.AddScoped<IDriftCheck, TaxonomyChangeCheck>();
        services.AddScoped<IDriftCheck, AgeCheck>();
        return services;
    }
}
