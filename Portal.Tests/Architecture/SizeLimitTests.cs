using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Architecture;

/// <summary>Small pieces: a component over 250 lines or a method over 80 is a sign to split along a seam.</summary>
public class SizeLimitTests
{
    public const int ComponentLines = 250;
    public const int MethodLines = 80;

    private static readonly string[] Projects = ["Portal.Core", "Portal.Data", "Portal.Web", "benchmarks"];

    [Fact]
    public void NoComponent_IsOver250Lines()
    {
        var tooLong = SourceFiles("*.razor").Select(f => (File: f, Lines: File.ReadAllLines(f).Length)).Where(f => f.Lines > ComponentLines)
            .Select(f => $"{Relative(f.File)} ({f.Lines} lines)").ToList();

        Assert.True(tooLong.Count == 0, $"Components over {ComponentLines} lines: {string.Join(", ", tooLong)}");
    }

    [Fact]
    public void NoMethod_IsOver80Lines()
    {
        var tooLong = SourceFiles("*.cs").Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LongMethods(f, File.ReadAllText(f))).ToList();

        Assert.True(tooLong.Count == 0, $"Methods over {MethodLines} lines: {string.Join(", ", tooLong)}");
    }

    [Fact]
    public void LongMethods_FindsAMethodOverTheLimit_SoTheRuleAboveCanFail()
    {
        var body = string.Join("\n", Enumerable.Repeat("        x++;", MethodLines));
        var source = $"class C {{ void Short() {{ }} void Long() {{\n        var x = 0;\n{body}\n    }} }}";

        Assert.Equal(["C.cs: Long (83 lines)"], LongMethods("C.cs", source));
    }

    internal static IEnumerable<string> LongMethods(string file, string source)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetRoot();
        foreach (var node in root.DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax))
        {
            var span = node.GetLocation().GetLineSpan();
            var lines = span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
            if (lines > MethodLines)
            {
                yield return $"{Relative(file)}: {Name(node)} ({lines} lines)";
            }
        }
    }

    private static string Name(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax m => m.Identifier.Text,
        ConstructorDeclarationSyntax c => c.Identifier.Text + " (constructor)",
        LocalFunctionStatementSyntax l => l.Identifier.Text,
        _ => node.Kind().ToString(),
    };

    private static IEnumerable<string> SourceFiles(string pattern) => Projects
        .Select(p => Path.Combine(RepoPaths.Root, p)).Where(Directory.Exists)
        .SelectMany(d => Directory.EnumerateFiles(d, pattern, SearchOption.AllDirectories))
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string Relative(string file) => Path.IsPathRooted(file) ? Path.GetRelativePath(RepoPaths.Root, file) : file;
}
