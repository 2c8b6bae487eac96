namespace Portal.Web.Auth;

/// <summary>Bound from <c>Portal:Demo</c>: the demo sign-in used when no <c>AzureAd</c> section is configured.</summary>
public sealed class DemoOptions
{
    public const string Section = "Portal:Demo";

    /// <summary>Demo sign-in outside Development must be asked for explicitly; Production always refuses it.</summary>
    public bool AllowOutsideDevelopment { get; set; }

    /// <summary>Seed the demo users and project into an empty database.</summary>
    public bool Seed { get; set; } = true;
}

/// <summary>How users sign in on this instance.</summary>
public sealed record AuthMode(bool IsDemo, string? IdentityProviderOrigin);
