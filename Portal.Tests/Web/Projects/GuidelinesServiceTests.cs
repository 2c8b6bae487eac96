using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Projects;

namespace Portal.Tests.Web.Projects;

/// <summary>Versioned guidelines on a real SQLite database: who may read and write, versions, diffs, no-op saves, conflicts.</summary>
public class GuidelinesServiceTests
{
    private static readonly PortalPrincipal Manager = new(Guid.CreateVersion7(), "Mia Manager", new HashSet<string> { AppRoles.Manager });

    private static async Task<(Guid ProjectId, PortalPrincipal Annotator, GuidelinesService Service)> SetUpAsync(TestDatabase database)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks: 0, overlap: 2, annotators: 1);
        await using var db = await database.ContextAsync();
        db.Users.Add(new User { Id = Manager.UserId, ExternalId = $"mia-{Guid.NewGuid():N}", Email = "mia@x", DisplayName = Manager.DisplayName, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return (projectId, people[0], database.Get<GuidelinesService>());
    }

    [Fact]
    public async Task Save_MakesTheNextVersion_WithWhoAndWhen_AndADiffAgainstThePrevious()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, service) = await SetUpAsync(database);
        var before = await service.GetAsync(Manager, projectId, default);
        var text = before.Markdown + "\n\n| Label | Use for |\n|---|---|\n| Person | names |";

        var saved = await service.SaveAsync(Manager, projectId, text, before.Number, default);

        Assert.Equal(new GuidelinesSaved(2, Created: true), saved);
        var after = await service.GetAsync(Manager, projectId, default);
        Assert.Equal(2, after.Number);
        Assert.Equal(GuidelinesService.Normalize(text), after.Markdown);
        Assert.Equal([2, 1], after.History.Select(v => v.Number));
        Assert.Equal("Mia Manager", after.History[0].Author);
        Assert.True(after.History[0].GuidelinesChanged);
        var diff = await service.DiffAsync(Manager, projectId, 2, default);
        Assert.Equal(1, diff.PreviousNumber);
        Assert.Equal(["", "| Label | Use for |", "|---|---|", "| Person | names |"], diff.Guidelines.Where(l => l.Kind == DiffLineKind.Added).Select(l => l.Text));
        Assert.DoesNotContain(diff.Guidelines, l => l.Kind == DiffLineKind.Removed);
        await using var db = await database.ContextAsync();
        var entry = await db.AuditLog.SingleAsync(a => a.Action == "guidelines.save");
        Assert.Equal((projectId, "2"), (entry.ProjectId!.Value, entry.ObjectId));
        Assert.Contains("4 line(s) added, 0 removed", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_UnchangedText_MakesNoVersion()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, service) = await SetUpAsync(database);
        var current = await service.GetAsync(Manager, projectId, default);

        // Only line endings and trailing blanks differ.
        var saved = await service.SaveAsync(Manager, projectId, current.Markdown.Replace("\n", "\r\n", StringComparison.Ordinal) + "  \r\n\r\n", current.Number, default);

        Assert.Equal(new GuidelinesSaved(1, Created: false), saved);
        await using var db = await database.ContextAsync();
        Assert.Equal(1, await db.GuidelineVersions.CountAsync(g => g.ProjectId == projectId));
        Assert.False(await db.AuditLog.AnyAsync(a => a.Action == "guidelines.save"));
    }

    [Fact]
    public async Task Save_OverAVersionSomeoneReplaced_IsAConflict_AndSavesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, service) = await SetUpAsync(database);
        await service.SaveAsync(Manager, projectId, "Theirs", basedOn: 1, default);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => service.SaveAsync(Manager, projectId, "Mine", basedOn: 1, default));

        Assert.Contains("version 2", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("Theirs", (await service.GetAsync(Manager, projectId, default)).Markdown);
    }

    [Fact]
    public async Task Save_KeepsTheReviewerInstructions()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, service) = await SetUpAsync(database);
        await using (var db = await database.ContextAsync())
        {
            await db.GuidelineVersions.Where(g => g.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(g => g.ReviewerInstructions, "Check names first."));
        }

        await service.SaveAsync(Manager, projectId, "New text", basedOn: 1, default);

        var view = await service.GetAsync(Manager, projectId, default);
        Assert.Equal("Check names first.", view.ReviewerInstructions);
        Assert.False(view.History[0].InstructionsChanged);
    }

    [Fact]
    public async Task Save_TooLong_IsAFieldError()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, _, service) = await SetUpAsync(database);

        var refused = await Assert.ThrowsAsync<ValidationException>(() =>
            service.SaveAsync(Manager, projectId, new string('x', GuidelinesService.MaxLength + 1), basedOn: 1, default));

        Assert.Equal(GuidelinesService.MarkdownField, refused.Errors.Single().Field);
        Assert.Contains("at most 50,000", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Annotators_ReadTheCurrentGuidelines_WithoutInstructionsOrHistory_AndCannotChangeThem()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (projectId, annotator, service) = await SetUpAsync(database);
        await using (var db = await database.ContextAsync())
        {
            await db.GuidelineVersions.Where(g => g.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(g => g.ReviewerInstructions, "Secret for QA."));
        }

        var view = await service.GetAsync(annotator, projectId, default);

        Assert.Equal(1, view.Number);
        Assert.NotEmpty(view.Markdown);
        Assert.Null(view.ReviewerInstructions);
        Assert.Empty(view.History);
        Assert.False(view.CanEdit);
        await Assert.ThrowsAsync<ForbiddenException>(() => service.SaveAsync(annotator, projectId, "Mine", 1, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.DiffAsync(annotator, projectId, 1, default));
        var stranger = new PortalPrincipal(Guid.CreateVersion7(), "S", new HashSet<string> { AppRoles.User });
        await Assert.ThrowsAsync<NotFoundException>(() => service.GetAsync(stranger, projectId, default));
    }
}
