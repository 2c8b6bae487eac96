using System.CommandLine;
using System.CommandLine.Invocation;
using Portal.Core.ImportExport;
using Portal.Core.Taxonomy;
using Portal.Web.ImportExport;
using Portal.Web.Labeling;
using Portal.Web.Projects;

namespace Portal.Web.Cli;

/// <summary>
/// Verbs of the Portal.Web program besides serving. Output for machines goes to stdout, logs to stderr;
/// exit code 0 on success, 2 on bad input (a parse error too), with a one-line error naming the verb.
/// </summary>
public static class PortalCommandLine
{
    private static readonly string[] HelpTokens = ["--help", "-h", "-?", "help", "--version"];

    /// <summary>
    /// True when the arguments ask for a verb (or for help) rather than the web server: the first argument is a bare
    /// word. Host options alone (<c>--urls X</c>, <c>--Key=Value</c>, <c>Key=Value</c>, <c>/Key=Value</c>, <c>--environment X</c>) or none
    /// serve the portal.
    /// </summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (HelpTokens.Contains(args[0], StringComparer.Ordinal) || !(args[0].StartsWith('-') || args[0].StartsWith('/') || args[0].Contains('=', StringComparison.Ordinal)));

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        // Configuration settings (--Key=Value) are for the host a verb builds, not options of the verb.
        var settings = new List<string>();
        var root = Root(new CliContext(settings));
        var known = AllOptionNames(root);
        bool Setting(string a) => IsSetting(a) && !known.Contains(a[..a.IndexOf('=', StringComparison.Ordinal)]);
        settings.AddRange(args.Where(Setting));
        if (args.Length > 0 && !args[0].StartsWith('-') && args[0] != "help" && root.Subcommands.All(c => c.Name != args[0]))
        {
            await stderr.WriteLineAsync($"unknown command '{args[0]}'; the commands are {string.Join(", ", root.Subcommands.Select(c => c.Name))} (add --help to any of them).");
            return 2;
        }

        // "help" as the first word is the same as --help; later, it is a value like any other (a project called help).
        var parse = root.Parse([.. args.Where(a => !Setting(a)).Select((a, i) => i == 0 && a == "help" ? "--help" : a)], new ParserConfiguration { ResponseFileTokenReplacer = null });
        var verb = string.Join(' ', parse.CommandResult.Command is RootCommand ? [] : Path(parse.CommandResult.Command));
        if (parse.Action is ParseErrorAction)
        {
            await stderr.WriteLineAsync($"{(verb.Length > 0 ? verb : "Portal.Web")}: {OneLine(parse.Errors[0].Message)}");
            return 2;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, ct);
    }

    private static RootCommand Root(CliContext cli) => new("Portal: without a command, serves the portal (ASP.NET Core options such as --urls apply). " +
        "Configuration comes from appsettings.json, environment variables (Portal__Database__Provider, ConnectionStrings__Portal) and --Key=Value options.")
    {
        MigrateCommand.Create(cli),
        AgreementCommand.Create(cli),
        ImportCommand.Create(cli),
        ExportCommand.Create(cli),
        ReportCommand.Create(cli),
        ProjectCommand.Create(cli),
        UserCommand.Create(cli),
    };

    /// <summary>
    /// Sets the verb's action: bad input the services report (a missing project, an invalid name, a refused address,
    /// malformed JSON in a file or a stored result) becomes a one-line error naming the verb and exit code 2; any other
    /// failure a one-line error and exit code 1, never a stack trace.
    /// </summary>
    internal static void SetCliAction(this Command command, Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            try
            {
                return await action(parse, stdout, stderr, ct);
            }
            catch (Exception ex) when (ErrorMessages.StatusOf(ex) is not null || ex is UrlRefusedException or System.Text.Json.JsonException)
            {
                await stderr.WriteLineAsync($"{string.Join(' ', Path(command))}: {OneLine(ex.Message)}");
                return 2;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await stderr.WriteLineAsync($"{string.Join(' ', Path(command))}: failed: {OneLine(ex.Message)} ({ex.GetType().Name})");
                return 1;
            }
        });
    }

    /// <summary>The message on one line, runs of spaces, tabs and line breaks as one space (the parser's lists use tabs).</summary>
    internal static string OneLine(string message) => string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static bool IsSetting(string arg) => arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) > 2;

    private static IEnumerable<string> Path(Command command) =>
        command.Parents.OfType<Command>().Where(p => p is not RootCommand).SelectMany(Path).Append(command.Name);

    private static HashSet<string> AllOptionNames(Command command)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in command.Options)
        {
            names.Add(option.Name);
            names.UnionWith(option.Aliases);
        }

        foreach (var sub in command.Subcommands)
        {
            names.UnionWith(AllOptionNames(sub));
        }

        return names;
    }
}

/// <summary>What every verb of one call shares: the <c>--Key=Value</c> configuration settings given with it.</summary>
internal sealed record CliContext(IReadOnlyList<string> Settings);
