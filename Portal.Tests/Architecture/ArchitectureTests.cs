using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetArchTest.Rules;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Tests.Architecture;

/// <summary>The layering the folders promise, checked on the compiled assemblies.</summary>
public class ArchitectureTests
{
    /// <summary>
    /// The feature namespaces of Portal.Web. Not features: the shared ground (Common), sign-in (Auth), the job machinery and
    /// its schedule (Jobs, which names every feature's job), the demo seeder (which uses every feature), hosting, UI and CLI.
    /// </summary>
    public static readonly string[] Features = ["Labeling", "Review", "Projects", "Taxonomy", "ImportExport", "Agreement", "Audits", "Drift", "Notifications", "Reports", "Admin", "Dashboard", "Tasks"];

    private static readonly Assembly Web = typeof(PortalApp).Assembly;

    [Fact]
    public void Core_ReferencesNoPackageAndNoOtherProject()
    {
        var references = typeof(Portal.Core.Security.AppRoles).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(name is "netstandard" or "mscorlib" || name.StartsWith("System", StringComparison.Ordinal),
            $"Portal.Core references {name}; it must stay free of packages and of the other projects."));
    }

    [Fact]
    public void FeatureNamespaces_DependOnEachOtherWithoutCycles()
    {
        var graph = FeatureGraph();
        // The submit that completes a task runs consensus: a real edge, so the graph is read from the code and not empty.
        Assert.Contains("Review", graph["Labeling"]);

        var cycle = FindCycle(graph);

        Assert.True(cycle is null, $"Features depend on each other in a cycle: {string.Join(" -> ", cycle ?? [])}. Move what both need into Portal.Web/Common.");
    }

    [Fact]
    public void FindCycle_FindsACycle_SoTheRuleAboveCanFail()
    {
        var graph = new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = [] };

        Assert.Equal(["A", "B", "C", "A"], FindCycle(graph));
        Assert.Null(FindCycle(new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = [] }));
    }

    [Fact]
    public void NoFeature_UsesAnotherFeaturesInternalTypes()
    {
        foreach (var feature in Features)
        {
            var internals = Types.InAssembly(Web).That().ResideInNamespace(Namespace(feature)).And().AreNotPublic().GetTypes()
                .Select(t => t.FullName!).Where(n => !n.Contains('<')).ToArray();
            if (internals.Length == 0)
            {
                continue;
            }

            var result = Types.InAssembly(Web).That().DoNotResideInNamespace(Namespace(feature)).And().DoNotResideInNamespace("Portal.Web.Components")
                .ShouldNot().HaveDependencyOnAny(internals).GetResult();
            Assert.True(result.IsSuccessful,
                $"{string.Join(", ", result.FailingTypeNames ?? [])} use internal types of {feature}; use its public service or move the shared part to Common.");
        }
    }

    [Fact]
    public void Common_DependsOnNoFeature()
    {
        var result = Types.InAssembly(Web).That().ResideInNamespace("Portal.Web.Common")
            .ShouldNot().HaveDependencyOnAny([.. Features.Select(Namespace)]).GetResult();

        Assert.True(result.IsSuccessful, $"Common is the ground features stand on, but {string.Join(", ", result.FailingTypeNames ?? [])} reach into a feature.");
    }

    [Fact]
    public void NoComponent_InjectsADbContext()
    {
        var offenders = Web.GetTypes().Where(t => typeof(ComponentBase).IsAssignableFrom(t))
            .SelectMany(t => t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(p => p.GetCustomAttribute<InjectAttribute>() is not null && IsDatabase(p.PropertyType))
                .Select(p => $"{t.Name}.{p.Name}"))
            .ToList();

        Assert.True(offenders.Count == 0, $"Components go through a feature service, never the database: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void EveryScheduledJob_IsRegisteredByItsFeature()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Portal"] = "Data Source=unused.db" }).Build();
        services.AddPortalFeatures(configuration, Path.GetTempPath());

        foreach (var job in Portal.Web.Jobs.RecurringJobSchedule.Jobs)
        {
            Assert.True(services.Any(d => d.ServiceType == job.JobType), $"The schedule runs {job.JobType.Name}, but no feature registers it.");
        }
    }

    private static bool IsDatabase(Type type) =>
        type == typeof(PortalDbContext) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDbContextFactory<>));

    private static string Namespace(string feature) => $"Portal.Web.{feature}";

    /// <summary>Which feature namespaces each feature's types use.</summary>
    private static Dictionary<string, HashSet<string>> FeatureGraph() => Features.ToDictionary(f => f, f => Features
        .Where(other => other != f && !Types.InAssembly(Web).That().ResideInNamespace(Namespace(f))
            .ShouldNot().HaveDependencyOn(Namespace(other)).GetResult().IsSuccessful)
        .ToHashSet());

    internal static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = graph.Keys.ToDictionary(k => k, _ => 0);
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Select(k => state[k] == 0 ? Visit(k) : null).FirstOrDefault(c => c is not null);
    }
}
