namespace Portal.Web.Labeling;

public static class LabelingFeature
{
    public static IServiceCollection AddLabeling(this IServiceCollection services)
    {
        services.AddScoped<LabelingService>();
        services.AddScoped<RetestQueue>();
        services.AddTransient<Jobs.ExpireReservationsJob>();
        services.AddTransient<Jobs.TaskCounterCheckJob>();
        services.AddTransient<Jobs.QueueCounterCheckJob>();
        return services;
    }
}
