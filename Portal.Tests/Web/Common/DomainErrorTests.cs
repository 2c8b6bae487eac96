using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ImportExport;
using Portal.Data;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Common;

/// <summary>Domain errors read the same everywhere: HTTP answers them as problem details, pages as plain messages.</summary>
public sealed class DomainErrorTests : IClassFixture<DomainErrorTests.Fixture>
{
    private readonly Fixture fixture;

    public DomainErrorTests(Fixture fixture) => this.fixture = fixture;

    public sealed class Fixture : IAsyncLifetime
    {
        public TestPortal Portal { get; private set; } = default!;

        public async Task InitializeAsync() => Portal = await TestPortal.StartAsync();

        public async Task DisposeAsync() => await Portal.DisposeAsync();
    }

    [Theory]
    [InlineData(typeof(NotFoundException), 404)]
    [InlineData(typeof(ForbiddenException), 403)]
    [InlineData(typeof(ConflictException), 409)]
    [InlineData(typeof(ValidationException), 400)]
    [InlineData(typeof(DataFormatException), 400)]
    [InlineData(typeof(InvalidOperationException), null)]
    public void StatusOf_MapsEachDomainError_AndLeavesFaultsAlone(Type type, int? status)
    {
        Exception error = type == typeof(ValidationException) ? new ValidationException("Name", "Give the project a name.")
            : type == typeof(NotFoundException) ? new NotFoundException("The project")
            : (Exception)Activator.CreateInstance(type, "message")!;

        Assert.Equal(status, ErrorMessages.StatusOf(error));
        Assert.Equal(status is null, ErrorMessages.ForPage(error) is null);
    }

    [Fact]
    public async Task MissingProject_IsAProblemDetails404_ThatSaysNothingAboutWhy()
    {
        using var manager = await fixture.Portal.SignInAsync("manager");

        using var response = await manager.GetAsync($"/projects/{Guid.NewGuid()}/taxonomy/export.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(problem.RootElement.TryGetProperty("detail", out _));
    }

    [Fact]
    public async Task AnnotatorAskingForAManagersDownload_GetsTheAccessDeniedPage()
    {
        Guid projectId;
        await using (var db = await fixture.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            projectId = await db.Projects.Where(p => p.Name == DemoSeeder.ProjectName).Select(p => p.Id).SingleAsync();
        }

        using var annotator = await fixture.Portal.SignInAsync("annotator1");
        using var response = await annotator.GetAsync($"/projects/{projectId}/taxonomy/export.json");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("denied", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }
}
