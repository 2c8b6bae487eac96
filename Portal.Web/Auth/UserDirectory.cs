using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Auth;

/// <summary>Users as the sign-in code needs them: provisioning from the identity provider, demo users, revalidation.</summary>
public sealed class UserDirectory(IDbContextFactory<PortalDbContext> factory, TimeProvider clock)
{
    public const string DemoPrefix = "demo:";

    /// <summary>
    /// Creates or refreshes the portal user behind an identity-provider principal (Entra <c>oid</c>, else <c>sub</c>).
    /// Returns null when the principal carries no stable id, or the user was disabled in the portal.
    /// </summary>
    public async Task<User?> ProvisionAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        var externalId = principal.FindFirst("oid")?.Value ?? principal.FindFirst("sub")?.Value
            ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (string.IsNullOrWhiteSpace(externalId) || externalId.StartsWith(DemoPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var email = principal.FindFirst("email")?.Value ?? principal.FindFirst("preferred_username")?.Value
            ?? principal.FindFirst("upn")?.Value ?? "";
        var name = principal.FindFirst("name")?.Value ?? (email.Length > 0 ? email : externalId);
        var now = clock.GetUtcNow().UtcDateTime;

        await using var db = await factory.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.ExternalId == externalId, ct);
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

    public static ClaimsPrincipal DemoPrincipal(User user)
    {
        var claims = new List<Claim>
        {
            new("sub", user.ExternalId),
            new(PortalClaims.UserId, user.Id.ToString()),
            new(PortalClaims.Name, user.DisplayName),
            new(PortalClaims.Email, user.Email),
        };
        claims.AddRange((user.DemoAppRoles ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => new Claim(PortalClaims.Roles, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Demo", PortalClaims.Name, PortalClaims.Roles));
    }
}
