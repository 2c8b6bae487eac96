using Portal.Web.Cli;
using Portal.Web.Hosting;

// A bare word first is a verb (migrate, import, …, or an unknown one, which is an error); host options alone serve.
if (PortalCommandLine.IsCommand(args))
{
    return await PortalCommandLine.RunAsync(args);
}

await using var app = PortalApp.Build(args);
await app.PreparePortalDatabaseAsync();
await app.RunAsync();
return 0;
