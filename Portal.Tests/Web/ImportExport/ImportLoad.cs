using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Portal.Core.ImportExport;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Web.ImportExport;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.ImportExport;

/// <summary>What the annotators saw while an import ran (or, for the baseline, while nothing else did).</summary>
public sealed record ImportLoadResult(
    ImportSummary? Import, IReadOnlyList<double> CallMs, int Submitted, IReadOnlyList<Exception> Failures)
{
    public double Percentile(double p)
    {
        if (CallMs.Count == 0)
        {
            return 0;
        }

        var sorted = CallMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }

    public double Max => CallMs.Count == 0 ? 0 : CallMs.Max();
}

/// <summary>
/// Annotators labeling (next task, submit, again) while an import streams from a slow source: the measurement behind the
/// suite's load test and the "import-load" benchmark (this file is linked into the benchmark project).
/// </summary>
public static class ImportLoad
{
    /// <summary>
    /// Runs <paramref name="annotators"/> loops of NextAsync/SubmitAsync until the import of <paramref name="rows"/> rows,
    /// fed over <paramref name="duration"/>, has ended; with <paramref name="rows"/> 0 they run for <paramref name="duration"/> alone.
    /// </summary>
    public static async Task<ImportLoadResult> RunAsync(
        ImportService imports, LabelingService labeling, Guid projectId, Guid managerId, IReadOnlyList<PortalPrincipal> annotators, int rows, TimeSpan duration)
    {
        var calls = new ConcurrentBag<double>();
        var failures = new ConcurrentBag<Exception>();
        var submitted = 0;
        using var stop = new CancellationTokenSource();
        var workers = annotators.Select(person => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var watch = Stopwatch.StartNew();
                    var item = await labeling.NextAsync(person, projectId, default);
                    calls.Add(watch.Elapsed.TotalMilliseconds);
                    if (item is null)
                    {
                        await Task.Delay(20);
                        continue;
                    }

                    watch.Restart();
                    await labeling.SubmitAsync(person, projectId, item.TaskId, Answer(item), item.Version, 1000, default);
                    calls.Add(watch.Elapsed.TotalMilliseconds);
                    Interlocked.Increment(ref submitted);
                }
                catch (Exception ex)
                {
                    failures.Add(ex);
                }
            }
        })).ToList();

        ImportSummary? summary = null;
        try
        {
            if (rows > 0)
            {
                summary = await imports.RunAsync(projectId, managerId, new SlowJsonlStream(rows, duration), "slow.jsonl", $"load-{Guid.NewGuid():N}",
                    new ImportOptions(TaskFileFormat.Jsonl), null, default);
            }
            else
            {
                await Task.Delay(duration);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        return new ImportLoadResult(summary, [.. calls], submitted, [.. failures]);
    }

    /// <summary>The first label of every single-choice question: a valid answer for the customer-messages label set.</summary>
    private static AnnotationResult Answer(WorkItem item) =>
        new([], [.. item.Controls.Where(c => c.Name is "intent" or "sentiment").Select(c => new AnswerValue(c.Name, c.Labels[0].Key))]);

    /// <summary>JSONL tasks ("imp-0", "imp-1", …) that arrive at an even pace over the given time, like a slow download.</summary>
    public sealed class SlowJsonlStream(int rows, TimeSpan duration) : Stream
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private byte[] pending = [];
        private int offset;
        private int next;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (offset == pending.Length)
            {
                if (next == rows)
                {
                    return 0;
                }

                var due = Math.Min(rows, (int)(rows * (clock.Elapsed / duration)) + 1);
                if (due <= next)
                {
                    await Task.Delay(5, cancellationToken);
                    continue;
                }

                var text = new StringBuilder();
                for (; next < due; next++)
                {
                    text.Append("{\"id\":\"imp-").Append(next).Append("\",\"text\":\"Imported message ").Append(next).Append(": where is my parcel?\"}\n");
                }

                pending = Encoding.UTF8.GetBytes(text.ToString());
                offset = 0;
            }

            var count = Math.Min(buffer.Length, pending.Length - offset);
            pending.AsMemory(offset, count).CopyTo(buffer);
            offset += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
