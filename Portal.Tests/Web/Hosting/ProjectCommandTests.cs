using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Taxonomy;
using Portal.Tests.TestSupport;
using Portal.Web.Cli;

namespace Portal.Tests.Web.Hosting;

/// <summary>`project create` and `project list` on a real SQLite database, as a pipeline would call them.</summary>
public sealed class ProjectCommandTests : IAsyncLifetime
{
    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(TestDatabase database, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await PortalCommandLine.RunAsync([.. args, $"--ConnectionStrings:Portal=Data Source={database.Path}", "--Logging:LogLevel:Default=Warning"], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(database.Folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData("labels.json", """{"questions":[{"name":"entities","kind":"spans","labels":[{"path":"PER"},{"path":"ORG"}]},{"name":"sentiment","kind":"single","labels":[{"path":"Positive"}]}]}""")]
    [InlineData("labels.csv", "question,path,kind\nentities,PER,spans\nentities,ORG,\nsentiment,Positive,single\n")]
    [InlineData("labelconfig.xml", """<View><Text name="text" value="$text"/><Labels name="entities" toName="text"><Label value="PER"/><Label value="ORG"/></Labels><Choices name="sentiment" toName="text" choice="single"><Choice value="Positive"/></Choices></View>""")]
    public async Task Create_FromATaxonomyFile_MakesTheQuestions_AndIsAudited(string fileName, string content)
    {
        var (code, stdout, stderr) = await RunAsync(database, "project", "create", "--name", "Support mails", "--taxonomy", Write(fileName, content), "--overlap", "3");

        Assert.True(code == 0, stderr);
        using var created = JsonDocument.Parse(stdout);
        var id = created.RootElement.GetProperty("id").GetGuid();
        Assert.Equal("Support mails", created.RootElement.GetProperty("name").GetString());
        await using var db = await database.ContextAsync();
        var project = await db.Projects.Include(p => p.Taxonomy).SingleAsync(p => p.Id == id);
        Assert.Equal(3, project.AnnotatorsPerTask);
        var versionId = project.Taxonomy!.CurrentVersionId;
        var controls = await db.TaxonomyControls.Where(c => c.TaxonomyVersionId == versionId).OrderBy(c => c.SortOrder)
            .Select(c => new { c.Name, c.Kind, Labels = db.Labels.Where(l => l.ControlId == c.Id).OrderBy(l => l.SortOrder).Select(l => l.Name).ToList() }).ToListAsync();
        Assert.Equal([("entities", ControlKind.Spans, "PER,ORG"), ("sentiment", ControlKind.SingleChoice, "Positive")],
            controls.Select(c => (c.Name, c.Kind, string.Join(',', c.Labels))).ToList());
        var audit = await db.AuditLog.SingleAsync(a => a.Action == "project.create");
        Assert.Equal((id, "Command line"), (audit.ProjectId!.Value, audit.UserName));
        Assert.Equal(project.CreatedById, audit.UserId);
    }

    [Theory]
    [InlineData("labelconfig.xml", "<View>\n<Labels name=\"a\" toName=\"text\"><Label value=\"X\"/></Labels>\n<RectangleLabels name=\"box\" toName=\"image\"/>\n</View>", "line 3: <RectangleLabels> is not supported")]
    [InlineData("labels.csv", "question,path\nentities,PER\nentities,Org / Company\n", "line 3: the parent \"Org\" is not in the label set")]
    [InlineData("labels.json", "{\"questions\": [", "line 1: not valid JSON")]
    public async Task Create_BadTaxonomyFile_ExitsTwo_NamingTheLineOrTag_AndCreatesNothing(string fileName, string content, string expected)
    {
        var file = Write(fileName, content);
        var (code, stdout, stderr) = await RunAsync(database, "project", "create", "--name", "Broken", "--taxonomy", file);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"project create: {file}, {expected}", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        await using var db = await database.ContextAsync();
        Assert.False(await db.Projects.AnyAsync());
    }

    [Fact]
    public async Task Create_TakenName_ExitsTwo_WithTheDialogsMessage()
    {
        Assert.Equal(0, (await RunAsync(database, "project", "create", "--name", "Once")).Code);

        var (code, _, stderr) = await RunAsync(database, "project", "create", "--name", "Once");

        Assert.Equal(2, code);
        Assert.Equal("project create: A project called \"Once\" already exists.", stderr.TrimEnd());
    }

    [Fact]
    public async Task List_ShowsEachProject_WithTasksAndMembers()
    {
        Assert.Equal(0, (await RunAsync(database, "project", "create", "--name", "Beta")).Code);
        Assert.Equal(0, (await RunAsync(database, "project", "create", "--name", "Alpha", "--description", "first")).Code);
        Assert.Equal(0, (await RunAsync(database, "user", "add", "--email", "ann@example.test", "--name", "Ann", "--project", "Alpha", "--role", "annotator")).Code);

        var (code, stdout, stderr) = await RunAsync(database, "project", "list");

        Assert.True(code == 0, stderr);
        using var list = JsonDocument.Parse(stdout);
        Assert.Equal(
            [("Alpha", 0, 2), ("Beta", 0, 1)],
            list.RootElement.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("tasks").GetInt32(), p.GetProperty("members").GetInt32())).ToList());
    }

    [Fact]
    public async Task Verbs_RunInTheDevelopmentEnvironmentToo()
    {
        // Development validates every registration when the host is built; the verbs' host must still build.
        var (code, stdout, stderr) = await RunAsync(database, "project", "list", "--environment=Development");

        Assert.True(code == 0, stderr);
        Assert.StartsWith("[", stdout.TrimStart(), StringComparison.Ordinal);
    }
}
