namespace Portal.Web.Audits;

public static class AuditsFeature
{
    public static IServiceCollection AddAudits(this IServiceCollection services)
    {
        services.AddScoped<GoldService>();
        services.AddSingleton<AuditRunLocks>();
        services.AddScoped<AuditRunService>();
        services.AddScoped<AuditResultsService>();
        services.AddScoped<AuditNightlyJob>();
        return services;
    }
}
