using Portal.Web.Auth;

namespace Portal.Web.Reports;

public static class ReportsFeature
{
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section)
            .Validate(o => o.KeepDays > 0, "Portal:Reports:KeepDays must be at least 1.")
            .Validate(o => o.MailAttachMaxBytes >= 0, "Portal:Reports:MailAttachMaxBytes must not be negative (0 sends scheduled reports as a link only).").ValidateOnStart();
        services.AddSingleton<ReportFiles>();
        services.AddScoped<QualitySheets>();
        services.AddScoped<ProgressSheets>();
        services.AddScoped<DetailRows>();
        services.AddScoped<ReportBuilder>();
        services.AddScoped<ReportService>();
        services.AddScoped<ReportScheduleService>();
        services.AddTransient<ReportScheduleJob>();
        // Reports are a kind of durable run (Jobs/DurableRunner); old workbooks go with the runs' retention sweep.
        services.AddTransient<Jobs.IRunKind, ReportRun>();
        services.AddTransient<Jobs.IRunRetention>(s => s.GetRequiredService<ReportFiles>());
        return services;
    }

    /// <summary>Downloads only through here: the caller must be in the project (else "not found").</summary>
    public static void MapReports(this WebApplication app)
    {
        app.MapGet("/projects/{projectId:guid}/reports/{runId:guid}/file", async (Guid projectId, Guid runId, HttpContext http, ReportService reports) =>
        {
            if (PortalClaims.ToPrincipal(http.User) is not { } user)
            {
                return Results.Forbid();
            }

            var (path, name) = await reports.FileAsync(user, projectId, runId, http.RequestAborted);
            return Results.File(path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, enableRangeProcessing: true);
        }).RequireAuthorization().RequireRateLimiting(Hosting.RateLimits.Downloads);
    }
}
