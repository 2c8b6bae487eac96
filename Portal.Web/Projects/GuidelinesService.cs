using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Projects;

/// <summary>One saved version in the history: who saved it, when, and what it changed.</summary>
public sealed record GuidelineVersionInfo(int Number, DateTime CreatedAt, string Author, bool GuidelinesChanged, bool InstructionsChanged);

/// <summary>
/// The guidelines page: the current text for everyone in the project; reviewer instructions and the history only for
/// QA leads and managers (annotators never see the instructions).
/// </summary>
/// <param name="Number">The current version, null while the project has none.</param>
public sealed record GuidelinesView(
    string ProjectName, int? Number, DateTime? UpdatedAt, string Markdown, string? ReviewerInstructions, bool CanEdit, bool CanSeeHistory,
    IReadOnlyList<GuidelineVersionInfo> History);

/// <summary>A version against the one before it, line by line (all lines added for the first).</summary>
public sealed record GuidelineDiff(int Number, int? PreviousNumber, IReadOnlyList<DiffLine> Guidelines, IReadOnlyList<DiffLine> ReviewerInstructions);

/// <summary>What a save did: the version now current, and whether the save made it (false: the text was unchanged).</summary>
public sealed record GuidelinesSaved(int Number, bool Created);

/// <summary>
/// The project's annotator guidelines, versioned: every save that changes the text is a new version with who and
/// when (an unchanged text makes none), saved only over the version the editor started from; managers edit, every
/// member reads. Reviewer instructions live in the same versions and are edited with the review settings.
/// </summary>
public sealed class GuidelinesService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, TimeProvider clock)
{
    public const int MaxLength = 50_000;
    public const string MarkdownField = "Markdown";

    public async Task<GuidelinesView> GetAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var reviewer = PortalPrincipal.Allows(role, ProjectRole.Reviewer);
        var name = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
        var current = await Latest(db, projectId).AsNoTracking().FirstOrDefaultAsync(ct);
        IReadOnlyList<GuidelineVersionInfo> history = reviewer ? await HistoryAsync(db, projectId, ct) : [];
        return new GuidelinesView(name, current?.Number, current?.CreatedAt, current?.Markdown ?? "", reviewer ? current?.ReviewerInstructions : null,
            PortalPrincipal.Allows(role, ProjectRole.Manager), reviewer, history);
    }

    /// <summary>Version <paramref name="number"/> against the version before it; QA leads and managers.</summary>
    public async Task<GuidelineDiff> DiffAsync(PortalPrincipal user, Guid projectId, int number, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var pair = await db.GuidelineVersions.AsNoTracking().Where(g => g.ProjectId == projectId && g.Number <= number)
            .OrderByDescending(g => g.Number).Take(2).ToListAsync(ct);
        if (pair.Count == 0 || pair[0].Number != number)
        {
            throw new NotFoundException($"Guidelines version {number}");
        }

        var previous = pair.Count > 1 ? pair[1] : null;
        return new GuidelineDiff(number, previous?.Number, LineDiff.Between(previous?.Markdown, pair[0].Markdown),
            LineDiff.Between(previous?.ReviewerInstructions, pair[0].ReviewerInstructions));
    }

    /// <summary>
    /// Saves <paramref name="markdown"/> as the next version when it differs from the current one (line endings and
    /// trailing blanks do not count). <paramref name="basedOn"/> is the version the editor started from (null: none);
    /// when someone saved a newer one meanwhile, nothing is saved and the caller keeps the text.
    /// </summary>
    public async Task<GuidelinesSaved> SaveAsync(PortalPrincipal user, Guid projectId, string? markdown, int? basedOn, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Manager, ct);
        var text = Normalize(markdown);
        if (text.Length > MaxLength)
        {
            throw new ValidationException(MarkdownField,
                string.Create(CultureInfo.InvariantCulture, $"The guidelines are too long: {text.Length:N0} characters, at most {MaxLength:N0}."));
        }

        var latest = await Latest(db, projectId).AsNoTracking().FirstOrDefaultAsync(ct);
        if (latest?.Number != basedOn)
        {
            throw new ConflictException(Conflict(latest?.Number));
        }

        if (latest is not null && Normalize(latest.Markdown) == text)
        {
            return new GuidelinesSaved(latest.Number, Created: false);
        }

        var number = (latest?.Number ?? 0) + 1;
        db.GuidelineVersions.Add(new GuidelineVersion
        {
            Id = Guid.CreateVersion7(), ProjectId = projectId, Number = number, Markdown = text, ReviewerInstructions = latest?.ReviewerInstructions,
            CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedById = user.UserId,
        });
        var lines = LineDiff.Between(latest?.Markdown, text);
        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, "guidelines.save", "GuidelineVersion", number.ToString(CultureInfo.InvariantCulture), projectId,
            string.Create(CultureInfo.InvariantCulture,
                $"version {number}: {lines.Count(l => l.Kind == DiffLineKind.Added)} line(s) added, {lines.Count(l => l.Kind == DiffLineKind.Removed)} removed")));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two saves over the same version: the unique (project, number) index lets one win.
            throw new ConflictException(Conflict(number));
        }

        return new GuidelinesSaved(number, Created: true);
    }

    /// <summary>The text as stored: Windows line endings and blanks at line ends removed, no blank lines at the end.</summary>
    public static string Normalize(string? markdown) =>
        string.Join('\n', LineDiff.Split(markdown)).TrimEnd();

    private static IQueryable<GuidelineVersion> Latest(PortalDbContext db, Guid projectId) =>
        db.GuidelineVersions.Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Number);

    private static string Conflict(int? number) => number is null
        ? "Someone changed the guidelines meanwhile. Your text is still in the editor: copy it, reload the page, and apply your changes again."
        : string.Create(CultureInfo.InvariantCulture,
            $"Someone saved version {number} of the guidelines meanwhile. Your text is still in the editor: copy it, reload the page to see theirs, and apply your changes again.");

    private static async Task<IReadOnlyList<GuidelineVersionInfo>> HistoryAsync(PortalDbContext db, Guid projectId, CancellationToken ct)
    {
        var versions = await db.GuidelineVersions.AsNoTracking().Where(g => g.ProjectId == projectId).OrderByDescending(g => g.Number)
            .Select(g => new
            {
                g.Number, g.CreatedAt, g.Markdown, g.ReviewerInstructions,
                Author = db.Users.Where(u => u.Id == g.CreatedById).Select(u => u.DisplayName).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return [.. versions.Select((v, i) =>
        {
            var previous = i + 1 < versions.Count ? versions[i + 1] : null;
            return new GuidelineVersionInfo(v.Number, v.CreatedAt, v.Author ?? "a removed user",
                previous is null || Normalize(previous.Markdown) != Normalize(v.Markdown),
                previous is null ? !string.IsNullOrWhiteSpace(v.ReviewerInstructions) : previous.ReviewerInstructions != v.ReviewerInstructions);
        })];
    }
}
