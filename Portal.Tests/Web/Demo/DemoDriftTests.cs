using Microsoft.EntityFrameworkCore;
using Portal.Core.Drift;
using Portal.Tests.TestSupport;
using Portal.Web.Demo;

namespace Portal.Tests.Web.Demo;

/// <summary>The demo's history is real enough for the nightly checks to find every kind of drift, about the right people and labels.</summary>
public class DemoDriftTests
{
    [Fact]
    public async Task Seed_LastNightsDriftRun_FoundEveryKindOfDrift()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.Get<DemoSeeder>().SeedAsync();
        await using var db = await database.ContextAsync();

        var run = await db.DriftRuns.SingleAsync();
        var findings = await db.DriftFindings.ToListAsync();
        var dana = await db.Users.Where(u => u.ExternalId == "demo:" + DemoDrift.Annotator).Select(u => u.Id).SingleAsync();

        Assert.Equal(DriftRunState.Succeeded, run.State);
        Assert.Equal(Enum.GetValues<DriftKind>().Order(), findings.Select(f => f.Kind).Distinct().Order());
        Assert.Contains(findings, f => f.Kind == DriftKind.LabelDistributionShift && f.Subject == $"annotator:{dana}");
        Assert.Contains(findings, f => f.Kind == DriftKind.GoldAccuracyDrop && f.Subject == $"annotator:{dana}");
        Assert.Contains(findings, f => f.Kind == DriftKind.IntraAnnotatorConsistency && f.Subject == $"annotator:{dana}");
        Assert.Contains(findings, f => f.Kind == DriftKind.AgreementDrop && f.Subject.Contains("control:intent", StringComparison.Ordinal));
        Assert.True(findings.Count(f => f.Kind == DriftKind.TaxonomyChange) >= 2, "Both the split and the rewritten definition wait.");
        Assert.Equal(DemoDrift.OldTasks, findings.Single(f => f.Kind == DriftKind.Age).AffectedCount);
        Assert.All(findings, f => Assert.Equal(DriftFindingState.Open, f.State));
    }
}
