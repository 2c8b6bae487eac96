namespace Portal.Web.Audits;

public static class AuditsFeature
{
    public static IServiceCollection AddAudits(this IServiceCollection services) => services
        .AddScoped<GoldService>()
        .AddScoped<QualityHoldService>()
        .AddScoped<ScorecardService>()
        .AddScoped<QualityFeedbackService>()
        .AddScoped<QualitySettingsService>();
}
