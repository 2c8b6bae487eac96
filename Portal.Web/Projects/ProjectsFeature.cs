namespace Portal.Web.Projects;

public static class ProjectsFeature
{
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.AddScoped<ProjectService>();
        services.AddScoped<MemberService>();
        services.AddScoped<ProjectNavService>();
        services.AddScoped<ProjectOverviewService>();
        services.AddScoped<ProjectSettingsService>();
        services.AddScoped<GuidelinesService>();
        return services;
    }
}
