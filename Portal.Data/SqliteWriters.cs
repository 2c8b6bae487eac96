using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Data;

/// <summary>
/// Turns at SQLite's one write lock for bulk writers. A bulk writer that commits a batch and begins the next a few
/// milliseconds later (an import) takes the lock again before the writes that waited for it have tried again. This
/// counts, per database file, the writes of this process that wait for the lock, and a bulk writer calls
/// <see cref="YieldAsync"/> between batches to let them go first (measured in the import-load test, 20k rows while ten
/// annotators label: the slowest annotator call fell from 630–790 ms to about 200 ms). SQL Server has row locks and a
/// fair lock queue, so nothing is counted there.
/// </summary>
public static class SqliteWriters
{
    /// <summary>The longest a bulk writer stands aside between two batches.</summary>
    public static readonly TimeSpan MaxYield = TimeSpan.FromMilliseconds(150);

    /// <summary>A BEGIN that fails (after the busy timeout) is not reported to interceptors, so one older than this is forgotten.</summary>
    private static readonly TimeSpan BeginTimeout = SqliteBusy.Timeout + TimeSpan.FromSeconds(1);

    private static readonly ConcurrentDictionary<string, Counter> Statements = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<Guid, (string Source, long Started)> Beginning = new();

    /// <summary>How many writes of this process wait for the lock of <paramref name="connection"/>'s database now.</summary>
    public static int WaitingFor(DbConnection connection)
    {
        var source = connection.DataSource;
        var count = Statements.TryGetValue(source, out var counter) ? counter.Value : 0;
        foreach (var (id, begin) in Beginning)
        {
            if (Stopwatch.GetElapsedTime(begin.Started) > BeginTimeout)
            {
                Beginning.TryRemove(id, out _);
            }
            else if (begin.Source == source)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Between two batches of a bulk write: waits (up to <see cref="MaxYield"/>) while other writes of this process wait
    /// for the lock, so they take it first. Returns at once when nobody waits, so an import alone runs at full speed.
    /// </summary>
    public static async Task YieldAsync(DbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            return;
        }

        var connection = db.Database.GetDbConnection();
        var watch = Stopwatch.StartNew();
        while (WaitingFor(connection) > 0 && watch.Elapsed < MaxYield)
        {
            await Task.Delay(2, ct);
        }
    }

    /// <summary>Whether a statement may wait for the write lock: outside a transaction, and not a read (reads never wait in WAL mode).</summary>
    private static bool Writes(DbCommand command)
    {
        if (command.Transaction is not null)
        {
            // Inside a transaction: it began immediate, so it holds the lock already.
            return false;
        }

        var text = command.CommandText.AsSpan().TrimStart();
        return !(text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Counter
    {
        private int value;

        public int Value => Volatile.Read(ref value);

        public void Enter() => Interlocked.Increment(ref value);

        public void Exit() => Interlocked.Decrement(ref value);
    }

    /// <summary>Counts the writes waiting: a transaction from its BEGIN until it has the lock, a lone write statement while it runs.</summary>
    internal sealed class Interceptor : DbCommandInterceptor, IDbTransactionInterceptor
    {
        public static readonly Interceptor Instance = new();

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Enter(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Enter(command);
            return ValueTask.FromResult(result);
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            Exit(command);
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Exit(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Enter(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Enter(command);
            return ValueTask.FromResult(result);
        }

        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            Exit(command);
            return result;
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            Exit(command);
            return ValueTask.FromResult(result);
        }

        public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Exit(command);

        public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Exit(command);
            return Task.CompletedTask;
        }

        public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Exit(command);

        public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Exit(command);
            return Task.CompletedTask;
        }

        // Transactions: counted from BEGIN (immediate, so it waits for the lock) until it returns.
        public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
        {
            Beginning[eventData.TransactionId] = (connection.DataSource, Stopwatch.GetTimestamp());
            return result;
        }

        public ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
            DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            Beginning[eventData.TransactionId] = (connection.DataSource, Stopwatch.GetTimestamp());
            return ValueTask.FromResult(result);
        }

        public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            Beginning.TryRemove(eventData.TransactionId, out _);
            return result;
        }

        public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        {
            Beginning.TryRemove(eventData.TransactionId, out _);
            return ValueTask.FromResult(result);
        }

        private static void Enter(DbCommand command)
        {
            if (command.Connection is { } connection && Writes(command))
            {
                Statements.GetOrAdd(connection.DataSource, _ => new Counter()).Enter();
            }
        }

        private static void Exit(DbCommand command)
        {
            if (command.Connection is { } connection && Writes(command))
            {
                Statements.GetOrAdd(connection.DataSource, _ => new Counter()).Exit();
            }
        }
    }
}
