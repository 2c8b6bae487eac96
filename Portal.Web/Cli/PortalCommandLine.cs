using Microsoft.Extensions.Configuration;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Cli;

/// <summary>
/// Verbs of the Portal.Web program besides serving. Output for machines goes to stdout, logs to stderr;
/// exit code 0 on success, 2 on bad input.
/// </summary>
public static class PortalCommandLine
{
    private static readonly string[] Verbs = ["migrate", "agreement", "import", "export", "help", "--help"];

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        switch (args[0])
        {
            case "migrate":
                return await MigrateAsync(args[1..]);
            case "agreement":
                return await AgreementCommand.RunAsync(args[1..], Console.Out, Console.Error);
            case "import":
                return await ImportCommand.RunAsync(args[1..], Console.Out, Console.Error);
            case "export":
                return await ExportCommand.RunAsync(args[1..], Console.Out, Console.Error);
            default:
                await Console.Error.WriteLineAsync("""
                    Usage: Portal.Web [verb] [options]
                      (no verb)   serve the portal (ASP.NET Core options such as --urls apply)
                      migrate     apply pending database migrations for the configured provider, then exit
                      agreement   FILE [--format labelstudio|reliability-csv] [--level nominal|ordinal|interval|ratio]
                                  print inter-annotator agreement of a Label Studio export or reliability CSV as JSON
                      import      FILE --project ID|NAME [--format jsonl|json|csv] [--text-column NAME] [--id-column NAME]
                                  [--valid-rows] [--mask email,phone,iban,card] [--mask-pattern NAME=REGEX] [--annotations refuse|ground-truth]
                                  import tasks (Label Studio predictions become suggestions); prints a JSON summary
                      export      --project ID|NAME --format labelstudio|jsonl|csv|conll --out FILE
                                  [--filter all|submitted|accepted|ground-truth] [--no-annotators]
                    Configuration comes from appsettings.json, environment variables (Portal__Database__Provider, ConnectionStrings__Portal) and --Key=Value options.
                    """);
                return args[0] == "help" || args[0] == "--help" ? 0 : 2;
        }
    }

    private static async Task<int> MigrateAsync(string[] args)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
            PortalConfiguration.AddRootSettings(builder.Configuration);
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Services.AddPortalData(builder.Configuration, builder.Environment.ContentRootPath);
            using var host = builder.Build();
            var applied = await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
            Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"migrate: {ex.Message}");
            return ex is InvalidOperationException ? 2 : 1;
        }
    }
}
