namespace Portal.Web.Admin;

public static class AdminFeature
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddScoped<AuditLogService>();
        return services;
    }
}
