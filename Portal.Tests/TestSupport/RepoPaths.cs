namespace Portal.Tests.TestSupport;

public static class RepoPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Portal.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Screenshot(string name)
    {
        var folder = Path.Combine(Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Portal.sln not found above {AppContext.BaseDirectory}.");
    }
}
