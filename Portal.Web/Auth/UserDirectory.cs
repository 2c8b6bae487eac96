using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Auth;

/// <summary>Users as the sign-in code needs them: provisioning from the identity provider, demo users, revalidation.</summary>
public sealed class UserDirectory(IDbContextFactory<PortalDbContext> factory, TimeProvider clock)
{
    public const string DemoPrefix = "demo:";

    /// <summary>The stand-in id of a person added before their first sign-in (by e-mail); that sign-in replaces it.</summary>
    public const string InvitedPrefix = "invited:";

    /// <summary>
    /// Creates or refreshes the portal user behind an identity-provider principal (Entra <c>oid</c>, else <c>sub</c>).
    /// Returns null when the principal carries no stable id, or the user was disabled in the portal.
    /// </summary>
    public async Task<User?> ProvisionAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        var externalId = First(principal, "oid", ObjectIdClaim, "sub", ClaimTypes.NameIdentifier);
        if (string.IsNullOrWhiteSpace(externalId) || externalId.StartsWith(DemoPrefix, StringComparison.Ordinal) || externalId.StartsWith(InvitedPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var email = First(principal, "email", ClaimTypes.Email, "preferred_username", "upn", ClaimTypes.Upn) ?? "";
        var name = First(principal, "name", ClaimTypes.Name) ?? (email.Length > 0 ? email : externalId);
        var now = clock.GetUtcNow().UtcDateTime;

        await using var db = await factory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.ExternalId == externalId, ct);
        if (user is null && VouchedEmail(principal) is { } vouched
            && await db.Users.SingleOrDefaultAsync(u => u.ExternalId == InvitedPrefix + vouched.ToLowerInvariant(), ct) is { } invited)
        {
            invited.ExternalId = externalId;
            user = invited;
        }

        if (user is null)
        {
            user = new User { Id = Guid.CreateVersion7(), ExternalId = externalId, Email = email, DisplayName = name, CreatedAt = now };
            db.Users.Add(user);
        }
        else if (!user.IsActive)
        {
            return null;
        }

        user.Email = email;
        user.DisplayName = name;
        user.LastSignInAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two first sign-ins of the same person at once: the other one created the row.
            db.ChangeTracker.Clear();
            user = await db.Users.SingleAsync(u => u.ExternalId == externalId, ct);
        }

        return user.IsActive ? user : null;
    }

    /// <summary>
    /// The e-mail the identity provider vouches for, which alone may take over an invitation (and its project roles): the
    /// <c>email</c> claim with <c>email_verified</c> true (OpenID Connect) or Entra's <c>xms_edov</c> optional claim (the
    /// e-mail's domain is verified by the tenant). <c>preferred_username</c> and <c>upn</c> can be changed and never count.
    /// </summary>
    public static string? VouchedEmail(ClaimsPrincipal principal)
    {
        var email = principal.FindFirst("email")?.Value;
        var verified = principal.FindFirst("email_verified")?.Value ?? principal.FindFirst("xms_edov")?.Value;
        return !string.IsNullOrWhiteSpace(email) && string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase) ? email : null;
    }

    /// <summary>The active person with this e-mail, or a new one under <see cref="InvitedPrefix"/> (Created true) who can be added to projects before signing in.</summary>
    public async Task<(User User, bool Created)> FindOrInviteAsync(string email, string name, CancellationToken ct)
    {
        var lowered = email.Trim().ToLowerInvariant();
        await using var db = await factory.CreateDbContextAsync(ct);
#pragma warning disable CA1862 // EF translates ToLower() to SQL LOWER(); string.Equals with a comparison has no SQL translation.
        if (await db.Users.AsNoTracking().Where(u => u.IsActive && u.Email.ToLower() == lowered).OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(ct) is { } known)
#pragma warning restore CA1862
        {
            return (known, false);
        }

        var user = new User { Id = Guid.CreateVersion7(), ExternalId = InvitedPrefix + lowered, Email = email.Trim(), DisplayName = name.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return (user, true);
    }

    public async Task<IReadOnlyList<User>> ListDemoUsersAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking()
            .Where(u => u.ExternalId.StartsWith(DemoPrefix) && u.IsActive)
            .OrderBy(u => u.DisplayName)
            .ToListAsync(ct);
    }

    public async Task<User?> FindActiveDemoUserAsync(Guid id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.IsActive, ct);
        return user is not null && user.ExternalId.StartsWith(DemoPrefix, StringComparison.Ordinal) ? user : null;
    }

    public async Task<bool> IsActiveAsync(Guid id, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(u => u.Id == id && u.IsActive, ct);
    }

    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    public static ClaimsPrincipal DemoPrincipal(User user) =>
        PortalPrincipal(user, (user.DemoAppRoles ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries), "Demo");

    /// <summary>The principal the portal keeps in its cookie: its user id, name, e-mail and app roles, under fixed claim names.</summary>
    public static ClaimsPrincipal PortalPrincipal(User user, IEnumerable<string> appRoles, string authenticationType)
    {
        var claims = new List<Claim>
        {
            new("sub", user.ExternalId),
            new(PortalClaims.UserId, user.Id.ToString()),
            new(PortalClaims.Name, user.DisplayName),
            new(PortalClaims.Email, user.Email),
        };
        claims.AddRange(appRoles.Select(r => new Claim(PortalClaims.Roles, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, PortalClaims.Name, PortalClaims.Roles));
    }

    /// <summary>App roles from a provider's principal, whether its handler kept the JWT name or mapped it to the WS-* URI.</summary>
    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal principal) =>
        principal.Claims.Where(c => c.Type is PortalClaims.Roles or "role" or ClaimTypes.Role).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();

    private static string? First(ClaimsPrincipal principal, params string[] types) =>
        types.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
