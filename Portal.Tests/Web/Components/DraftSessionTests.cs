using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Labeling;
using Portal.Data;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Components.Labeling;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Review;

namespace Portal.Tests.Web.Components;

public sealed class DraftSessionTests : IAsyncLifetime, IDisposable
{
    /// <summary>Long enough for a real save on a busy machine; a lock still held would never let the call finish.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>The real database, which can be made unreachable: a failure neither the service nor the page expects.</summary>
    private sealed class FlakyFactory(IDbContextFactory<PortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public bool Down { get; set; }

        public PortalDbContext CreateDbContext() => Down ? throw new InvalidOperationException("The database is unreachable.") : inner.CreateDbContext();
    }

    private TestDatabase database = default!;
    private FlakyFactory flaky = default!;
    private WorkItem item = default!;
    private DraftSession session = default!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var (projectId, annotators) = await LabelingServiceTests.ProjectAsync(database, tasks: 2, overlap: 1, annotators: 1);
        flaky = new FlakyFactory(database.Factory);
        var labeling = new LabelingService(flaky, new ProjectAccess(), TimeProvider.System,
            new ConsensusService(database.Factory, TimeProvider.System, NullLogger<ConsensusService>.Instance), NullLogger<LabelingService>.Instance);
        item = await labeling.NextAsync(annotators[0], projectId, default) ?? throw new InvalidOperationException("No task to label.");
        session = new DraftSession(labeling, annotators[0], projectId, TimeProvider.System);
        session.Start(item, reopened: false);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    public void Dispose() => session.Dispose();

    [Fact]
    public async Task Submit_FailsUnexpectedly_TheNextSaveAndSubmitStillGoThrough()
    {
        var result = LabelingServiceTests.Answered(item, (12, 27));
        session.Changed();

        flaky.Down = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.SubmitAsync(result));
        flaky.Down = false;

        await session.SaveAsync(() => result).WaitAsync(Patience);
        Assert.False(session.Dirty);
        Assert.StartsWith("Draft saved", session.Status, StringComparison.Ordinal);
        Assert.True(await session.SubmitAsync(result).WaitAsync(Patience));
        await using var db = await database.ContextAsync();
        Assert.Equal(AnnotationStatus.Submitted, (await db.Annotations.SingleAsync(a => a.TaskId == item.TaskId)).Status);
    }

    [Fact]
    public async Task Save_FailsUnexpectedly_TheNextSaveStillGoesThrough()
    {
        var result = LabelingServiceTests.Answered(item);
        session.Changed();

        flaky.Down = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.SaveAsync(() => result));
        flaky.Down = false;
        Assert.True(session.Dirty);

        await session.SaveAsync(() => result).WaitAsync(Patience);
        Assert.False(session.Dirty);
        Assert.True(session.Version > item.Version);
    }

    [Fact]
    public async Task Save_EditedDuringTheSave_StaysDirty()
    {
        var reads = 0;
        session.Changed();

        // The first read is what is saved; by the second read the annotator has marked a span.
        await session.SaveAsync(() => ++reads == 1 ? LabelingServiceTests.Answered(item) : LabelingServiceTests.Answered(item, (12, 17)));

        Assert.Equal(2, reads);
        Assert.True(session.Dirty);
        Assert.StartsWith("Draft saved", session.Status, StringComparison.Ordinal);
    }
}
