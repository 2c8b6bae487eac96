using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Reports;
using Portal.Core.Security;
using Portal.Data;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;
using Portal.Web.Common;
using Portal.Web.Reports;

namespace Portal.Tests.Web.Reports;

/// <summary>The demo project's whole report, as the manager and as a QA lead asks for it, built from the real services.</summary>
[Collection(Browser.BrowserCollection.Name)]
public sealed class ReportBuilderTests : IAsyncLifetime
{
    private TestPortal portal = default!;

    public async Task InitializeAsync() => portal = await TestPortal.StartAsync();

    public async Task DisposeAsync() => await portal.DisposeAsync();

    private async Task<(Guid ProjectId, PortalPrincipal Person)> DemoAsync(string email, params string[] appRoles)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var projectId = await db.Projects.Where(p => p.Name == DemoSeeder.ProjectName).Select(p => p.Id).SingleAsync();
        var user = await db.Users.Where(u => u.Email == email).Select(u => new { u.Id, u.DisplayName }).SingleAsync();
        return (projectId, new PortalPrincipal(user.Id, user.DisplayName, appRoles.ToHashSet()));
    }

    [Fact]
    public async Task TheManagersFullReport_OfTheDemoProject_IsAWorkbookThatOpens()
    {
        var (projectId, manager) = await DemoAsync("morgan.manager@demo.local");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await using var scope = portal.Services.CreateAsyncScope();
        var spec = await scope.ServiceProvider.GetRequiredService<ReportBuilder>()
            .BuildAsync(manager, projectId, new ReportRequest(today.AddDays(-29), today, ReportDefinitions.All), default);
        var path = Path.Combine(Directory.CreateTempSubdirectory("report-build").FullName, "demo.xlsx");
        await using (var file = File.Create(path))
        {
            await WorkbookWriter.WriteAsync(spec, file, null, default);
        }

        var book = await ExternalReaders.ReadAsync(path);
        Assert.Contains("Detail", book.GetProperty("sheets").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task AnAdminWhoIsNotAMember_GetsTheReport_ButAnAnnotatorIsTurnedAway()
    {
        var (projectId, admin) = await DemoAsync("alice.admin@demo.local", AppRoles.Admin);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var request = new ReportRequest(today.AddDays(-6), today, [ReportPart.Summary, ReportPart.Agreement]);
        Guid runId;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            runId = await scope.ServiceProvider.GetRequiredService<ReportService>().StartAsync(admin, projectId, request, "admin-report", default);
            // The portal under test runs no jobs server: the run is carried out here, as the server would.
            await scope.ServiceProvider.GetRequiredService<Portal.Web.Jobs.DurableRunner>().RunAsync(runId, default);
        }

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var reports = scope.ServiceProvider.GetRequiredService<ReportService>();
            var run = Assert.Single(await reports.ListAsync(admin, projectId, default), r => r.Id == runId);
            Assert.Equal(Portal.Core.Jobs.RunState.Succeeded, run.State);
            var (path, _) = await reports.FileAsync(admin, projectId, runId, default);
            Assert.True(new FileInfo(path).Length > 0);

            var (_, annotator) = await DemoAsync("ana.annotator@demo.local", AppRoles.User);
            await Assert.ThrowsAsync<ForbiddenException>(() => reports.StartAsync(annotator, projectId, request, "annotator-report", default));
            await Assert.ThrowsAsync<ForbiddenException>(() => reports.FileAsync(annotator, projectId, runId, default));
        }
    }
}
