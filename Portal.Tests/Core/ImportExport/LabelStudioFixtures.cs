namespace Portal.Tests.Core.ImportExport;

/// <summary>
/// The real Label Studio files in shared/fixtures/labelstudio beside the repository (their sources are in its
/// SOURCES.md). Read from there, never copied into the repository; tests that need them are skipped, saying why,
/// where the folder is absent (CI has it).
/// </summary>
public static class LabelStudioFixtures
{
    public static readonly string? Folder = Find();

    public static string Path(string name) => System.IO.Path.Combine(Folder ?? throw new InvalidOperationException("The Label Studio fixtures folder is absent."), name);

    public static string Read(string name) => File.ReadAllText(Path(name));

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Portal.sln")))
            {
                var folder = System.IO.Path.Combine(dir.FullName, "..", "shared", "fixtures", "labelstudio");
                return Directory.Exists(folder) ? System.IO.Path.GetFullPath(folder) : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs the real Label Studio files: skipped, with the reason, where they are absent.</summary>
public sealed class LabelStudioFixtureFactAttribute : FactAttribute
{
    public LabelStudioFixtureFactAttribute()
    {
        if (LabelStudioFixtures.Folder is null)
        {
            Skip = "The real Label Studio files (../shared/fixtures/labelstudio beside the repository) are not on this machine.";
        }
    }
}
