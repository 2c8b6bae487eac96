using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Hosting;

/// <summary>`user add`: people into projects before their first sign-in, idempotent and audited.</summary>
public sealed class UserCommandTests : IAsyncLifetime
{
    private TestDatabase database = default!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        Assert.Equal(0, (await RunAsync("project", "create", "--name", "Mails")).Code);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => ProjectCommandTests.RunAsync(database, args);

    [Fact]
    public async Task Add_Twice_CreatesOneUserAndOneMembership_ThenChangesTheRole()
    {
        string[] add = ["user", "add", "--email", "Rita@Example.test", "--name", "Rita", "--project", "Mails", "--role", "annotator"];

        var first = await RunAsync(add);
        var again = await RunAsync(add);
        var promoted = await RunAsync([.. add[..^1], "reviewer"]);

        Assert.True(first.Code == 0, first.Stderr);
        Assert.Equal((0, 0), (again.Code, promoted.Code));
        Assert.True(JsonDocument.Parse(first.Stdout).RootElement.GetProperty("created").GetBoolean());
        Assert.False(JsonDocument.Parse(again.Stdout).RootElement.GetProperty("created").GetBoolean());
        await using var db = await database.ContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == "Rita@Example.test");
        Assert.Equal("invited:rita@example.test", user.ExternalId);
        Assert.Equal(ProjectRole.Reviewer, (await db.ProjectMembers.SingleAsync(m => m.UserId == user.Id)).Role);
        Assert.Equal(["project.member.set", "project.member.set", "user.create"],
            await db.AuditLog.Where(a => a.ObjectId == user.Id.ToString()).OrderBy(a => a.Action).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task Add_ToAnUnknownProject_ExitsTwo_AndCreatesNobody()
    {
        var (code, _, stderr) = await RunAsync("user", "add", "--email", "x@example.test", "--name", "X", "--project", "Nope", "--role", "manager");

        Assert.Equal(2, code);
        Assert.Equal("user add: There is no project \"Nope\".", stderr.TrimEnd());
        await using var db = await database.ContextAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "x@example.test"));
    }
}
