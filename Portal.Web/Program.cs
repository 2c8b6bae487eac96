using Portal.Web.Auth;
using Portal.Web.Cli;
using Portal.Web.Hosting;
using Portal.Web.Jobs;

// Verbs besides serving (migrate, …) run without the web server.
if (PortalCommandLine.IsVerb(args))
{
    return await PortalCommandLine.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalConfiguration();
builder.AddPortalData();
builder.AddPortalAuthentication();
builder.AddPortalJobs();
builder.AddPortalUi();

var app = builder.Build();
app.UsePortalPipeline();
app.MapPortalAuthEndpoints();
app.MapPortalJobs();
app.MapPortalUi();
await app.PreparePortalDatabaseAsync();
await app.RunAsync();
return 0;

/// <summary>Entry point type for WebApplicationFactory in tests.</summary>
public partial class Program;
