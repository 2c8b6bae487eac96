using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Common;

/// <summary>Writes the append-only log of security-relevant actions.</summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> factory, TimeProvider clock, IHttpContextAccessor http)
{
    public async Task WriteAsync(Guid? userId, string userName, string action, string? objectType = null, string? objectId = null,
        Guid? projectId = null, string? details = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.AuditLog.Add(Entry(userId, userName, action, objectType, objectId, projectId, details));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>An entry to add to a context that is saving other changes, so both land in one transaction.</summary>
    public AuditLogEntry Entry(Guid? userId, string userName, string action, string? objectType = null, string? objectId = null,
        Guid? projectId = null, string? details = null)
    {
        var context = http.HttpContext;
        return new AuditLogEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            UserId = userId,
            UserName = userName,
            Action = action,
            ObjectType = objectType,
            ObjectId = objectId,
            ProjectId = projectId,
            Details = details,
            CorrelationId = Activity.Current?.TraceId.ToString() ?? context?.TraceIdentifier,
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
        };
    }
}
