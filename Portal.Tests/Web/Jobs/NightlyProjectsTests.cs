using Microsoft.Extensions.Logging.Abstractions;
using Portal.Web.Jobs;

namespace Portal.Tests.Web.Jobs;

public sealed class NightlyProjectsTests
{
    [Fact]
    public async Task OneProjectFailing_StopsNoOther_AndTheJobFailsAtTheEnd()
    {
        Guid[] projects = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        var ran = new List<Guid>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => NightlyProjects.RunEachAsync("audit", "2026-11-29", projects, id =>
        {
            ran.Add(id);
            return id == projects[0] ? throw new TimeoutException("database busy") : Task.FromResult(id != projects[2]);
        }, NullLogger.Instance, default));

        Assert.Equal(projects, ran);
        Assert.Contains("failed for 2 project(s)", failure.Message, StringComparison.Ordinal);
        Assert.Contains(projects[0].ToString(), failure.Message, StringComparison.Ordinal);
        Assert.Contains(projects[2].ToString(), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_IsNotAProjectFailure()
    {
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NightlyProjects.RunEachAsync("drift checks", "2026-11-29", [Guid.NewGuid(), Guid.NewGuid()], _ =>
        {
            cancel.Cancel();
            throw new OperationCanceledException(cancel.Token);
        }, NullLogger.Instance, cancel.Token));
    }

    [Fact]
    public async Task AllSucceeding_Completes()
    {
        var count = 0;
        await NightlyProjects.RunEachAsync("audit", "2026-11-29", [Guid.NewGuid(), Guid.NewGuid()], _ => Task.FromResult(++count > 0), NullLogger.Instance, default);
        Assert.Equal(2, count);
    }
}
