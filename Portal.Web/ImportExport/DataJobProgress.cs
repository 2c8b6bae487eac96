using System.Collections.Concurrent;

namespace Portal.Web.ImportExport;

/// <summary>
/// Live progress of the jobs running in this process. An import holds SQLite's only write transaction while it runs,
/// so its progress cannot be written to the database until it ends; the data page reads it from here, and a job listed
/// here is known to be alive (a restart empties it, and the resume job then runs what was left).
/// </summary>
public sealed class DataJobProgress
{
    public sealed class Live
    {
        private long rows;
        private long bytes;

        public long Rows => Interlocked.Read(ref rows);
        public long Bytes => Interlocked.Read(ref bytes);
        public long BytesTotal { get; set; }

        /// <summary>An export's number of tasks.</summary>
        public long Total { get; set; }

        public void SetRows(long value) => Interlocked.Exchange(ref rows, value);

        public void AddBytes(long value) => Interlocked.Add(ref bytes, value);
    }

    private readonly ConcurrentDictionary<Guid, Live> running = new();

    /// <summary>Marks the job as running here; false when it already is.</summary>
    public bool TryStart(Guid jobId, out Live live)
    {
        live = new Live();
        return running.TryAdd(jobId, live);
    }

    public void Stop(Guid jobId) => running.TryRemove(jobId, out _);

    public Live? Get(Guid jobId) => running.GetValueOrDefault(jobId);

    public bool IsRunning(Guid jobId) => running.ContainsKey(jobId);
}
