namespace Portal.Web.Audits;

public static class AuditsFeature
{
    public static IServiceCollection AddAudits(this IServiceCollection services)
    {
        services.AddScoped<GoldService>();
        services.AddScoped<QualityHoldService>();
        services.AddScoped<ScorecardService>();
        services.AddScoped<QualityFeedbackService>();
        services.AddScoped<QualitySettingsService>();
        services.AddScoped<AuditRunService>();
        services.AddScoped<AuditResultsService>();
        services.AddScoped<AuditNightlyJob>();
        services.AddScoped<AuditQueueService>();
        return services;
    }
}
