using System.CommandLine;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Auth;
using Portal.Web.Projects;

namespace Portal.Web.Cli;

/// <summary>
/// <c>user add</c>: a person into a project with a role, before they ever signed in (their first sign-in with that
/// e-mail takes the account over). Running it again changes nothing but the role; every change is audited.
/// </summary>
internal static class UserCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create(CliContext cli) => new("user", "Add people to projects.") { AddCommand(cli) };

    private static Command AddCommand(CliContext cli)
    {
        var email = new Option<string>("--email") { Description = "The person's e-mail address, as their sign-in will carry it.", Required = true };
        var name = new Option<string>("--name") { Description = "Their display name (used when the user is new).", Required = true };
        var project = CliOptions.Project();
        var role = new Option<string>("--role") { Description = "annotator, reviewer or manager.", Required = true };
        role.AcceptOnlyFromAmong("annotator", "reviewer", "manager");
        var command = new Command("add", "Create the user if missing and give them a role in a project; prints the user and role as JSON.") { email, name, project, role };
        command.SetCliAction(async (parse, stdout, _, ct) =>
        {
            var address = parse.GetValue(email)!.Trim();
            var displayName = parse.GetValue(name)!.Trim();
            if (!address.Contains('@', StringComparison.Ordinal) || address.Length > 320 || displayName.Length is 0 or > 200)
            {
                throw new ValidationException([("Email", "Give an e-mail address and a name of at most 200 characters.")]);
            }

            var projectRole = Enum.Parse<ProjectRole>(parse.GetValue(role)!, ignoreCase: true);
            using var host = CliServices.Build(cli.Settings);
            var services = host.Services;
            var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
            var projectId = await CliServices.ProjectAsync(factory, parse.GetValue(project)!, ct);
            var actor = await CliServices.ProjectActorAsync(factory, projectId, ct);
            var (user, created) = await services.GetRequiredService<UserDirectory>().FindOrInviteAsync(address, displayName, ct);
            if (created)
            {
                await services.GetRequiredService<AuditLog>().WriteAsync(actor.UserId, actor.DisplayName, "user.create", "User", user.Id.ToString(), projectId, user.Email, ct);
            }

            if (await CurrentRoleAsync(factory, projectId, user.Id, ct) != projectRole)
            {
                await services.GetRequiredService<MemberService>().SetAsync(actor, projectId, user.Email, projectRole, ct);
            }

            await stdout.WriteLineAsync(JsonSerializer.Serialize(new { userId = user.Id, user.Email, projectId, role = projectRole.ToString().ToLowerInvariant(), created }, Json));
            return 0;
        });
        return command;
    }

    private static async Task<ProjectRole?> CurrentRoleAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, Guid userId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.UserId == userId).Select(m => (ProjectRole?)m.Role).SingleOrDefaultAsync(ct);
    }
}
