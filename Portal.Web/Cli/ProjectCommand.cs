using System.CommandLine;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.ImportExport;
using Portal.Core.Projects;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Web.Projects;

namespace Portal.Web.Cli;

/// <summary>
/// <c>project create</c> and <c>project list</c>: setting a project up without the browser. Creation goes through
/// the same service as the New project dialog, so it is validated and audited the same way.
/// </summary>
internal static class ProjectCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliContext cli) => new("project", "Create and list projects.") { CreateCommand(cli), ListCommand(cli) };

    private static Command CreateCommand(CliContext cli)
    {
        var name = new Option<string>("--name") { Description = "The project's name (unique among active projects).", Required = true };
        var taxonomy = new Option<string?>("--taxonomy")
        {
            Description = "The first label set: a JSON or CSV file as the label set page exports it (optional column or field \"kind\": spans, single, " +
                "multiple, hierarchical, text, relations), or a Label Studio labeling config (.xml: Labels, Choices, Taxonomy, TextArea, Relations). " +
                "Default: the customer messages template.",
        };
        var description = new Option<string?>("--description") { Description = "What the project is about." };
        var overlap = new Option<int?>("--overlap") { Description = "How many annotators label each task (default 2)." };
        var command = new Command("create", "Create a project; prints its id and name as JSON.") { name, taxonomy, description, overlap };
        command.SetCliAction(async (parse, stdout, _, ct) =>
        {
            var template = parse.GetValue(taxonomy) is { } file ? await ReadTaxonomyAsync(file, ct) : null;
            var settings = new ProjectSettings();
            if (parse.GetValue(overlap) is { } annotators)
            {
                settings = settings with { AnnotatorsPerTask = annotators };
            }

            using var host = CliServices.Build(cli.Settings);
            var factory = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var actor = await CliServices.SystemActorAsync(factory, host.Services.GetRequiredService<TimeProvider>(), ct);
            var request = new NewProject(parse.GetValue(name)!, parse.GetValue(description), TaxonomyTemplates.CustomerMessages.Id, settings, template);
            var id = await host.Services.GetRequiredService<ProjectService>().CreateAsync(actor, request, ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new { id, name = request.Name.Trim() }, Json));
            return 0;
        });
        return command;
    }

    private static async Task<TaxonomyTemplate> ReadTaxonomyAsync(string file, CancellationToken ct)
    {
        string content;
        try
        {
            content = await File.ReadAllTextAsync(file, ct);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{file}: cannot be read ({ex.Message})");
        }

        var (template, errors) = StartingTaxonomy.FromFile(file, content);
        return template ?? throw new DataFormatException(errors.Count == 1 ? errors[0] : $"{errors[0]} (and {errors.Count - 1} more problem(s))");
    }

    private static Command ListCommand(CliContext cli)
    {
        var command = new Command("list", "List the active projects as JSON: id, name, tasks and members.");
        command.SetCliAction(async (_, stdout, _, ct) =>
        {
            using var host = CliServices.Build(cli.Settings);
            await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct);
            var projects = await db.Projects.AsNoTracking().Where(p => !p.IsArchived).OrderBy(p => p.Name)
                .Select(p => new { p.Id, p.Name, Tasks = db.Tasks.Count(t => t.ProjectId == p.Id), Members = p.Members.Count })
                .ToListAsync(ct);
            await stdout.WriteLineAsync(JsonSerializer.Serialize(projects, Json));
            return 0;
        });
        return command;
    }
}
