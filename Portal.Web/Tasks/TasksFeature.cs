namespace Portal.Web.Tasks;

public static class TasksFeature
{
    public static IServiceCollection AddTasks(this IServiceCollection services)
    {
        services.AddScoped<TaskBrowserService>();
        services.AddScoped<TaskBulkService>();
        services.AddScoped<TaskExportService>();
        return services;
    }
}
