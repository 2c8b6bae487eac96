using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Admin;

/// <summary>What to look for in the audit log; every part is optional and they combine with AND.</summary>
/// <param name="ActionPrefix">The start of the action name ("task." finds task.delete and task.gold).</param>
/// <param name="From">The first day (UTC) to include.</param>
/// <param name="To">The last day (UTC) to include.</param>
/// <param name="Text">Words anywhere in the details.</param>
public sealed record AuditLogFilter(
    Guid? UserId = null, string? ActionPrefix = null, Guid? ProjectId = null, string? ObjectType = null, string? ObjectId = null,
    DateOnly? From = null, DateOnly? To = null, string? Text = null);

/// <summary>Where a page of the log ended: the next page starts strictly older than this entry.</summary>
public readonly record struct AuditLogCursor(DateTime At, long Id);

/// <summary>One entry as the admin sees it; <paramref name="Link"/> opens the object when Portal has a page for it.</summary>
public sealed record AuditLogRow(
    long Id, DateTime At, string UserName, string Action, string? ObjectType, string? ObjectId, Guid? ProjectId, string? ProjectName,
    string? Details, string? IpAddress, string? CorrelationId, string? Link);

/// <summary>A page of entries, newest first; <paramref name="Next"/> is null on the last page.</summary>
public sealed record AuditLogResults(IReadOnlyList<AuditLogRow> Rows, AuditLogCursor? Next);

/// <summary>A person or project to filter by.</summary>
public sealed record AuditLogChoice(Guid Id, string Name);

/// <summary>The admin's view of the audit log: filtered, newest first, paged by keyset so a page costs the same at any depth.</summary>
public sealed class AuditLogService(IDbContextFactory<PortalDbContext> factory, DenialLog denials)
{
    public const int MaxPageSize = 200;

    /// <summary>The entries matching <paramref name="filter"/> older than <paramref name="after"/> (the newest when null).</summary>
    public async Task<AuditLogResults> SearchAsync(PortalPrincipal user, AuditLogFilter filter, AuditLogCursor? after, int pageSize, CancellationToken ct)
    {
        await RequireAdminAsync(user);
        Validate(filter, pageSize);
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = Filter(db.AuditLog.AsNoTracking(), filter);
        if (after is { } cursor)
        {
            query = query.Where(e => e.At < cursor.At || (e.At == cursor.At && e.Id < cursor.Id));
        }

        // One more than asked tells whether an older page exists without counting the log.
        var entries = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(pageSize + 1).ToListAsync(ct);
        var page = entries.Take(pageSize).ToList();
        var projectIds = page.Where(e => e.ProjectId is not null).Select(e => e.ProjectId!.Value).Distinct().ToList();
        var names = await db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var rows = page.Select(e => new AuditLogRow(e.Id, e.At, e.UserName, e.Action, e.ObjectType, e.ObjectId, e.ProjectId,
            e.ProjectId is { } id ? names.GetValueOrDefault(id) : null, e.Details, e.IpAddress, e.CorrelationId, Link(e))).ToList();
        return new AuditLogResults(rows, entries.Count > pageSize ? new AuditLogCursor(page[^1].At, page[^1].Id) : null);
    }

    /// <summary>Everyone and every project (archived ones too: their entries stay), for the filters.</summary>
    public async Task<(IReadOnlyList<AuditLogChoice> Users, IReadOnlyList<AuditLogChoice> Projects)> ChoicesAsync(PortalPrincipal user, CancellationToken ct)
    {
        await RequireAdminAsync(user);
        await using var db = await factory.CreateDbContextAsync(ct);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new AuditLogChoice(u.Id, u.DisplayName + " (" + u.Email + ")")).ToListAsync(ct);
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Name).Select(p => new AuditLogChoice(p.Id, p.IsArchived ? p.Name + " (archived)" : p.Name)).ToListAsync(ct);
        return (users, projects);
    }

    private async Task RequireAdminAsync(PortalPrincipal user)
    {
        if (!user.IsAdmin)
        {
            await denials.RecordAsync(user, "the audit log", null, "needs the Admin role");
            throw new ForbiddenException("The audit log needs the Admin role.");
        }
    }

    private static void Validate(AuditLogFilter filter, int pageSize)
    {
        var errors = new List<(string Field, string Message)>();
        if (filter.From is { } from && filter.To is { } to && from > to)
        {
            errors.Add((nameof(AuditLogFilter.To), "The last day is before the first day."));
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors.Add(("pageSize", $"Show between 1 and {MaxPageSize} entries per page."));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }

    /// <summary>
    /// Each filter in a form the log's indexes serve: user, project and action (prefix) each lead an index with the time,
    /// so the newest-first walk stops after a page; object and details narrow what those return.
    /// </summary>
    private static IQueryable<AuditLogEntry> Filter(IQueryable<AuditLogEntry> query, AuditLogFilter filter)
    {
        if (filter.UserId is { } userId)
        {
            query = query.Where(e => e.UserId == userId);
        }

        if (filter.ProjectId is { } projectId)
        {
            query = query.Where(e => e.ProjectId == projectId);
        }

        if (Trimmed(filter.ActionPrefix) is { } action)
        {
            query = query.Where(e => e.Action.StartsWith(action));
        }

        if (Trimmed(filter.ObjectType) is { } type)
        {
            // Features wrote "Project" and "project", "User" and "user": both spellings match, the same way on either database.
            string[] spellings = [type, type.ToLowerInvariant(), char.ToUpperInvariant(type[0]) + type[1..].ToLowerInvariant()];
            query = query.Where(e => e.ObjectType != null && spellings.Contains(e.ObjectType));
        }

        if (Trimmed(filter.ObjectId) is { } objectId)
        {
            query = query.Where(e => e.ObjectId == objectId);
        }

        if (filter.From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue);
            query = query.Where(e => e.At >= start);
        }

        if (filter.To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue);
            query = query.Where(e => e.At < end);
        }

        if (Trimmed(filter.Text) is { } text)
        {
            query = query.Where(e => e.Details != null && e.Details.Contains(text));
        }

        return query;
    }

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// The page of the entry's object, when Portal has one: the project, a single task (gold marks list several), the
    /// findings, the data jobs, the label set, the people. Annotations and runs have no page of their own: no link.
    /// </summary>
    internal static string? Link(AuditLogEntry entry) => entry.ObjectType?.ToLowerInvariant() switch
    {
        "project" when Guid.TryParse(entry.ObjectId, out var projectId) => $"/projects/{projectId}",
        "task" when entry.ProjectId is { } projectId && long.TryParse(entry.ObjectId, NumberStyles.None, CultureInfo.InvariantCulture, out var taskId)
            => $"/projects/{projectId}/tasks/{taskId}",
        "drift-finding" when entry.ProjectId is { } projectId => $"/projects/{projectId}/drift",
        "datajob" when entry.ProjectId is { } projectId => $"/projects/{projectId}/data",
        "taxonomy" or "taxonomyversion" when entry.ProjectId is { } projectId => $"/projects/{projectId}/taxonomy",
        "user" when entry.ProjectId is { } projectId => $"/projects/{projectId}/members",
        _ => null,
    };
}
