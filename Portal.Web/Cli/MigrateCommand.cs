using System.CommandLine;
using Portal.Data;

namespace Portal.Web.Cli;

/// <summary><c>migrate</c>: applies pending database migrations for the configured provider, then exits.</summary>
internal static class MigrateCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("migrate", "Apply pending database migrations for the configured provider, then exit.");
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                using var host = CliServices.Build(cli.Settings);
                var applied = await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
                await stdout.WriteLineAsync(applied.Count == 0 ? "Database is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
                return 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await stderr.WriteLineAsync($"migrate: {PortalCommandLine.OneLine(ex.Message)}");
                return ex is InvalidOperationException ? 2 : 1;
            }
        });
        return command;
    }
}
