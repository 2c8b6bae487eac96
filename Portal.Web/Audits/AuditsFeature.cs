namespace Portal.Web.Audits;

public static class AuditsFeature
{
    public static IServiceCollection AddAudits(this IServiceCollection services)
    {
        services.AddScoped<GoldService>();
        services.AddScoped<AuditQueueService>();
        return services;
    }
}
