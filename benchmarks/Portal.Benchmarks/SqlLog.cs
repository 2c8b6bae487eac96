using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

/// <summary>
/// The SQL a measured step ran, with each command's time from execution until its reader closed (issue 18: "log the SQL with timings in the
/// benchmark"). Off unless a <see cref="Recording"/> is open, so it costs nothing in the other measurements.
/// </summary>
internal sealed class SqlLog : ILoggerProvider, ILogger
{
    public static readonly SqlLog Instance = new();
    private const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";
    private List<(double Ms, string Sql)>? recording;

    public sealed class Recording(SqlLog log) : IDisposable
    {
        public IReadOnlyList<(double Ms, string Sql)> Commands { get; } = log.recording = [];

        public void Dispose() => log.recording = null;

        /// <summary>The slowest commands, each on one line (whitespace collapsed, cut at <paramref name="width"/> characters).</summary>
        public IEnumerable<string> Slowest(int count, int width = 220) =>
            Commands.OrderByDescending(c => c.Ms).Take(count).Select(c =>
            {
                var sql = string.Join(' ', c.Sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                return $"{c.Ms,8:F1} ms  {(sql.Length > width ? sql[..width] + " …" : sql)}";
            });
    }

    public Recording Start() => new(this);

    public ILogger CreateLogger(string categoryName) => categoryName == CommandCategory ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public bool IsEnabled(LogLevel logLevel) => recording is not null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (recording is not { } list || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            return;
        }

        double Elapsed() => Convert.ToDouble(values.FirstOrDefault(v => v.Key == "elapsed").Value, System.Globalization.CultureInfo.InvariantCulture);
        lock (list)
        {
            if (eventId.Id == RelationalEventId.CommandExecuted.Id)
            {
                list.Add((Elapsed(), values.FirstOrDefault(v => v.Key == "commandText").Value as string ?? ""));
            }
            else if (eventId.Id == RelationalEventId.DataReaderDisposing.Id && list.Count > 0)
            {
                // SQLite finds rows as they are read: the time spent reading belongs to the command (one reader at a
                // time per context, so it is the last command's).
                list[^1] = (list[^1].Ms + Elapsed(), list[^1].Sql);
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public void Dispose()
    {
    }
}
