namespace Portal.Data.Entities;

public sealed class User : IVersioned
{
    public Guid Id { get; set; }

    /// <summary>The identity provider's stable id (Entra <c>oid</c>, else <c>sub</c>); demo users have "demo:NAME".</summary>
    public required string ExternalId { get; set; }

    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public bool IsActive { get; set; } = true;

    /// <summary>App roles of demo users (space separated). Entra users get theirs from the token on each sign-in.</summary>
    public string? DemoAppRoles { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }
    public int Version { get; set; }

    public List<ProjectMember> Memberships { get; set; } = [];
}

/// <summary>Security-relevant actions (sign-in, role and membership changes, exports, taxonomy publishes).</summary>
public sealed class AuditLogEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public Guid? UserId { get; set; }
    public required string UserName { get; set; }
    public required string Action { get; set; }
    public string? ObjectType { get; set; }
    public string? ObjectId { get; set; }
    public Guid? ProjectId { get; set; }
    public string? Details { get; set; }
    public string? CorrelationId { get; set; }
    public string? IpAddress { get; set; }
}
