namespace Portal.Core.Projects;

/// <summary>A project's name and description: the rules the New project dialog and the settings page share.</summary>
public static class ProjectDetails
{
    public const string NameField = "Name";
    public const string DescriptionField = "Description";
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 4000;

    /// <summary>The name as stored: trimmed.</summary>
    public static string CleanName(string? name) => name?.Trim() ?? "";

    /// <summary>The description as stored: trimmed, null when blank.</summary>
    public static string? CleanDescription(string? description) => string.IsNullOrWhiteSpace(description) ? null : description.Trim();

    /// <summary>Every rule broken, as (field, message) pairs; uniqueness of the name needs the database and is checked there.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(string? name, string? description)
    {
        var errors = new List<(string, string)>();
        var clean = CleanName(name);
        if (clean.Length == 0)
        {
            errors.Add((NameField, "Give the project a name."));
        }
        else if (clean.Length > MaxNameLength)
        {
            errors.Add((NameField, $"The name can have at most {MaxNameLength} characters."));
        }

        if (CleanDescription(description) is { Length: > MaxDescriptionLength })
        {
            errors.Add((DescriptionField, $"The description can have at most {MaxDescriptionLength} characters."));
        }

        return errors;
    }
}
