namespace Portal.Web.Dashboard;

public static class DashboardFeature
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddScoped<QualityDashboardService>();
        services.AddScoped<PairDisagreementService>();
        services.AddScoped<QualityPanelsService>();
        return services;
    }
}
