namespace Portal.Core.Security;

/// <summary>App roles as they arrive in the token's <c>roles</c> claim (Entra app roles).</summary>
public static class AppRoles
{
    public const string Admin = "Portal.Admin";
    public const string Manager = "Portal.Manager";

    /// <summary>Plain access to the portal: what a project then allows comes from the database.</summary>
    public const string User = "Portal.User";

    public static readonly IReadOnlyList<string> All = [Admin, Manager, User];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>A user's role inside one project (stored in the database). Higher values include the lower.</summary>
public enum ProjectRole
{
    Annotator = 1,
    Reviewer = 2,
    Manager = 3,
}
