namespace Portal.Web.Projects;

public static class ProjectsFeature
{
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.AddScoped<ProjectService>();
        services.AddScoped<MemberService>();
        return services;
    }
}
