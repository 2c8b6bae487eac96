using Portal.Web.Cli;
using Portal.Web.Hosting;

// Verbs besides serving (migrate, …) run without the web server.
if (PortalCommandLine.IsVerb(args))
{
    return await PortalCommandLine.RunAsync(args);
}

await using var app = PortalApp.Build(args);
await app.PreparePortalDatabaseAsync();
await app.RunAsync();
return 0;
