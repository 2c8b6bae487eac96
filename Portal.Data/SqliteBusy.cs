using System.Data.Common;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Portal.Data;

/// <summary>
/// How a SQLite connection waits for another connection's write lock. SQLite's own busy timeout sleeps longer and longer
/// between tries, up to 100 ms, so a waiting save misses the short gaps between an import's batches and can wait for
/// seconds (measured in the import-load test: 1.0–3.2 s for one annotator call; 0.2 s with this handler). This handler
/// tries again every millisecond, for up to <see cref="Timeout"/>. SQLitePCLRaw does not expose
/// <c>sqlite3_busy_handler</c>, so it is called in the bundled native library directly; where that library is not
/// found, the connection keeps SQLite's busy timeout.
/// </summary>
internal static class SqliteBusy
{
    /// <summary>How long a statement waits for the write lock before "database is locked".</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>SQLite's own timeout, for connections this handler could not be set on.</summary>
    public static readonly string TimeoutPragma = $"PRAGMA busy_timeout={(int)Timeout.TotalMilliseconds};";

    private static bool unavailable;

    [ThreadStatic]
    private static long waitStarted;

    /// <summary>Sets the handler on an open connection (after <see cref="TimeoutPragma"/>, which it replaces).</summary>
    public static unsafe void Set(DbConnection connection)
    {
        if (unavailable || connection is not SqliteConnection { Handle: { } handle })
        {
            return;
        }

        try
        {
            if (sqlite3_busy_handler(handle.DangerousGetHandle(), &OnBusy, IntPtr.Zero) != 0)
            {
                throw new InvalidOperationException("SQLite refused the busy handler.");
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
        }
    }

    // The lock's holder is another connection; SQLite calls this on the waiting statement's own thread, with count 0 first.
    [UnmanagedCallersOnly]
    private static int OnBusy(IntPtr argument, int count)
    {
        if (count == 0)
        {
            waitStarted = Stopwatch.GetTimestamp();
        }

        if (Stopwatch.GetElapsedTime(waitStarted) >= Timeout)
        {
            return 0;
        }

        Thread.Sleep(1);
        return 1;
    }

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern unsafe int sqlite3_busy_handler(IntPtr db, delegate* unmanaged<IntPtr, int, int> handler, IntPtr argument);
}
