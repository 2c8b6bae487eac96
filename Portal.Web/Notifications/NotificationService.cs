using Microsoft.EntityFrameworkCore;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Common;

namespace Portal.Web.Notifications;

/// <summary>One notification as its recipient sees it: plain text, a local link, the project it is about.</summary>
public sealed record NotificationView(long Id, Guid? ProjectId, string? ProjectName, string Title, string? Body, string? Link, DateTime CreatedAt, DateTime? ReadAt)
{
    public bool IsUnread => ReadAt is null;
}

/// <summary>One page of the notifications list and how many there are in all (for the pager).</summary>
public sealed record NotificationPage(IReadOnlyList<NotificationView> Items, int Total);

/// <summary>
/// In-app notifications (the bell). Features post them for a project's QA leads and managers; each person lists and
/// reads only their own. A notification about a project the person has since left (or been demoted in to annotator)
/// is hidden, so a title never tells an annotator about findings on others.
/// </summary>
public sealed class NotificationService(IDbContextFactory<PortalDbContext> factory, TimeProvider clock)
{
    public const int MaxTake = 100;

    /// <summary>
    /// One notification per active member of the project with the Reviewer (QA lead) or Manager role, idempotent by
    /// (person, <paramref name="key"/>): a rerun of the same night adds nothing. Returns how many were new.
    /// </summary>
    /// <param name="key">What the notification is about, stable across reruns, e.g. "drift:finding:12".</param>
    /// <param name="link">A local path ("/projects/…/drift#finding-12"), or null.</param>
    public async Task<int> NotifyProjectLeadsAsync(Guid projectId, string key, string title, string? body, string? link, CancellationToken ct)
    {
        Validate(key, title, body, link);
        // Two runs posting the same key at once collide on the unique (UserId, Key) index: the loser looks again and
        // adds only what the other did not.
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
            {
                throw new NotFoundException("The project");
            }

            var missing = await db.ProjectMembers
                .Where(m => m.ProjectId == projectId && m.Role >= ProjectRole.Reviewer)
                .Join(db.Users.Where(u => u.IsActive), m => m.UserId, u => u.Id, (m, u) => u.Id)
                .Where(userId => !db.Notifications.Any(n => n.UserId == userId && n.Key == key))
                .OrderBy(userId => userId)
                .ToListAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            db.Notifications.AddRange(missing.Select(userId => new Notification
            {
                UserId = userId, ProjectId = projectId, Key = key, Title = title, Body = body, Link = link, CreatedAt = now,
            }));
            try
            {
                await db.SaveChangesAsync(ct);
                return missing.Count;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>The person's newest notifications, newest first; with <paramref name="before"/>, only older ones.</summary>
    public async Task<IReadOnlyList<NotificationView>> ListAsync(PortalPrincipal user, int take, DateTime? before, CancellationToken ct)
    {
        CheckTake(take);
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = Visible(db, user);
        if (before is { } cutoff)
        {
            query = query.Where(n => n.CreatedAt < cutoff);
        }

        return await Project(db, query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(take)).ToListAsync(ct);
    }

    /// <summary>Page <paramref name="page"/> (from 0) of the person's notifications, newest first; unread ones only when asked.</summary>
    public async Task<NotificationPage> PageAsync(PortalPrincipal user, bool unreadOnly, int page, int pageSize, CancellationToken ct)
    {
        CheckTake(pageSize);
        if (page < 0)
        {
            throw new ValidationException(nameof(page), "The page number must be 0 or more.");
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var query = Visible(db, user);
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        var total = await query.CountAsync(ct);
        var items = await Project(db, query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Skip(page * pageSize).Take(pageSize)).ToListAsync(ct);
        return new NotificationPage(items, total);
    }

    /// <summary>How many of the person's notifications are unread (served by the (UserId, ReadAt, CreatedAt) index).</summary>
    public async Task<int> UnreadCountAsync(PortalPrincipal user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await Visible(db, user).CountAsync(n => n.ReadAt == null, ct);
    }

    /// <summary>Marks one of the person's own notifications read; anyone else's id is "not found".</summary>
    public async Task MarkReadAsync(PortalPrincipal user, long id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await Visible(db, user).Where(n => n.Id == id && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        if (changed == 0 && !await Visible(db, user).AnyAsync(n => n.Id == id, ct))
        {
            throw new NotFoundException("The notification");
        }
    }

    /// <summary>Marks all the person's notifications read; returns how many were unread.</summary>
    public async Task<int> MarkAllReadAsync(PortalPrincipal user, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return await Visible(db, user).Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
    }

    /// <summary>
    /// The person's own notifications that they may still see: about no project, or about a project where they are
    /// still a QA lead or manager (global managers and admins are managers everywhere).
    /// </summary>
    private static IQueryable<Notification> Visible(PortalDbContext db, PortalPrincipal user)
    {
        var own = db.Notifications.Where(n => n.UserId == user.UserId);
        return user.IsManager
            ? own
            : own.Where(n => n.ProjectId == null
                || db.ProjectMembers.Any(m => m.ProjectId == n.ProjectId && m.UserId == user.UserId && m.Role >= ProjectRole.Reviewer));
    }

    private static IQueryable<NotificationView> Project(PortalDbContext db, IQueryable<Notification> query) => query.Select(n => new NotificationView(
        n.Id, n.ProjectId, db.Projects.Where(p => p.Id == n.ProjectId).Select(p => p.Name).FirstOrDefault(), n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt));

    private static void CheckTake(int take)
    {
        if (take is < 1 or > MaxTake)
        {
            throw new ValidationException(nameof(take), $"Between 1 and {MaxTake} notifications can be listed at a time; {take} were asked for.");
        }
    }

    private static void Validate(string key, string title, string? body, string? link)
    {
        var errors = new List<(string Field, string Message)>();
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200)
        {
            errors.Add((nameof(key), "The notification key must be 1 to 200 characters."));
        }

        if (string.IsNullOrWhiteSpace(title) || title.Length > 300)
        {
            errors.Add((nameof(title), "The notification title must be 1 to 300 characters."));
        }

        if (body is { Length: > 4000 })
        {
            errors.Add((nameof(body), "The notification text must be at most 4,000 characters."));
        }

        if (link is not null && !IsLocalPath(link))
        {
            errors.Add((nameof(link), $"The notification link must be a local path starting with \"/\" (not \"//\" or \"/\\\"), at most 1,000 characters; it is \"{link}\"."));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }

    /// <summary>A path on this portal: "/x", never "//host" or "/\host" (browsers read both as another site).</summary>
    public static bool IsLocalPath(string link) =>
        link.Length is > 0 and <= 1000 && link[0] == '/' && (link.Length == 1 || (link[1] != '/' && link[1] != '\\'))
        && !link.Any(char.IsControl);
}
