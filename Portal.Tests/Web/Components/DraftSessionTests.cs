using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Labeling;
using Portal.Core.Security;
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
    private LabelingService labeling = default!;
    private PortalPrincipal annotator = default!;
    private Guid projectId;
    private WorkItem item = default!;
    private DraftSession session = default!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        (projectId, var annotators) = await LabelingServiceTests.ProjectAsync(database, tasks: 2, overlap: 1, annotators: 1);
        annotator = annotators[0];
        flaky = new FlakyFactory(database.Factory);
        // The real service over a database that the test can switch off.
        labeling = new LabelingService(flaky, database.Get<ProjectAccess>(), database.Get<LabelSetCache>(), TimeProvider.System,
            database.Get<ConsensusService>(), database.Get<Portal.Web.Audits.GoldService>(), database.Get<Portal.Web.Audits.QualityHoldService>(),
            new RetestQueue(flaky, database.Get<ProjectAccess>(), database.Get<LabelSetCache>(), TimeProvider.System), database.Get<AuditLog>(),
            NullLogger<LabelingService>.Instance);
        item = await labeling.NextAsync(annotator, projectId, default) ?? throw new InvalidOperationException("No task to label.");
        session = Session(TimeProvider.System);
    }

    private DraftSession Session(TimeProvider clock)
    {
        var started = new DraftSession(labeling, annotator, projectId, clock, NullLogger.Instance);
        started.Start(item, reopened: false);
        return started;
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

    [Fact]
    public async Task Autosave_SavesAfterAQuietMoment_AndKeepsGoingAfterAFailedSave()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var timed = Session(clock);
        using var closing = new CancellationTokenSource();
        var result = LabelingServiceTests.Answered(item);
        var attempts = 0;
        var loop = timed.AutosaveAsync(() => false, () => { attempts++; return timed.SaveAsync(() => result); }, closing.Token);

        timed.Changed();
        clock.Advance(DraftSession.Tick);
        await Task.Delay(200);
        Assert.Equal(0, attempts); // still within the quiet moment after the change

        flaky.Down = true;
        clock.Advance(DraftSession.Tick);
        await WaitUntilAsync(() => timed.Status == "Not saved");
        Assert.Equal(1, attempts);
        Assert.True(timed.Dirty);

        flaky.Down = false;
        await WaitUntilAsync(() =>
        {
            clock.Advance(DraftSession.Tick);
            return !timed.Dirty;
        });
        Assert.StartsWith("Draft saved", timed.Status, StringComparison.Ordinal);

        await closing.CancelAsync();
        await loop.WaitAsync(Patience);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}
