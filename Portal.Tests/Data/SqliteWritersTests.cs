using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Data;

/// <summary>
/// Waiting for SQLite's write lock: a save catches the short gaps between a bulk writer's batches (SQLite's own busy
/// timeout sleeps up to 100 ms between tries and misses them), and a bulk writer sees who waits and lets them go first.
/// </summary>
public class SqliteWritersTests
{
    [Fact]
    public async Task ASaveGetsTheLock_InAFewMillisecondGapBetweenAnotherConnectionsLongBatches()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var stop = new CancellationTokenSource();
        var holding = new TaskCompletionSource();
        // A writer that holds the lock 80 ms and lets go for 3 ms, again and again, for up to 5 s.
        var holder = Task.Run(async () =>
        {
            await using var db = await database.ContextAsync();
            var watch = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && watch.Elapsed < TimeSpan.FromSeconds(5))
            {
                await using (var transaction = await db.Database.BeginTransactionAsync())
                {
                    await db.Database.ExecuteSqlRawAsync("UPDATE \"Users\" SET \"DisplayName\" = \"DisplayName\" WHERE 0");
                    holding.TrySetResult();
                    Thread.Sleep(80);
                    await transaction.CommitAsync();
                }

                Thread.Sleep(3);
            }
        });

        await holding.Task;
        await using var writer = await database.ContextAsync();
        var wait = Stopwatch.StartNew();
        // Ten saves in a row, each has to find a gap.
        for (var i = 0; i < 10; i++)
        {
            await writer.Database.ExecuteSqlRawAsync("UPDATE \"Users\" SET \"DisplayName\" = \"DisplayName\" WHERE 0");
        }

        wait.Stop();
        var holderStillRunning = !holder.IsCompleted;
        await stop.CancelAsync();
        await holder;
        // With SQLite's back-off, ten saves against a 3 ms gap in every 83 ms took the holder's whole 5 s.
        Assert.True(holderStillRunning, $"The ten saves took {wait.ElapsedMilliseconds} ms: they only got the lock once the other writer had stopped.");
    }

    [Fact]
    public async Task AWriteWaitingForTheLock_IsCounted_UntilItHasIt_AndABulkWriterStandsAsideMeanwhile()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var bulk = await database.ContextAsync();
        await bulk.Database.OpenConnectionAsync();
        var connection = bulk.Database.GetDbConnection();
        Assert.Equal(0, SqliteWriters.WaitingFor(connection));

        Task waiting;
        await using (var transaction = await bulk.Database.BeginTransactionAsync())
        {
            await bulk.Database.ExecuteSqlRawAsync("UPDATE \"Users\" SET \"DisplayName\" = \"DisplayName\" WHERE 0");
            waiting = Task.Run(async () =>
            {
                await using var other = await database.ContextAsync();
                await using var otherTransaction = await other.Database.BeginTransactionAsync();
                await otherTransaction.CommitAsync();
            });
            var seen = Stopwatch.StartNew();
            while (SqliteWriters.WaitingFor(connection) == 0 && seen.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(5);
            }

            Assert.Equal(1, SqliteWriters.WaitingFor(connection));
            await transaction.CommitAsync();
        }

        // Between two batches: the waiting write goes first, then the bulk writer carries on.
        await SqliteWriters.YieldAsync(bulk, default);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, SqliteWriters.WaitingFor(connection));
    }
}
