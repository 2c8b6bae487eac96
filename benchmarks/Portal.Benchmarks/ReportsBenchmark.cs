using System.Diagnostics;
using System.Globalization;
using ClosedXML.Excel;
using Portal.Core.Reports;
using Portal.Web.Reports;

/// <summary>
/// The report workbook (issue 16): the formatted sheets a manager's report has (About, Summary, Progress, Annotators,
/// Agreement with its colour-scaled matrix, Audits, Drift, Guideline gaps, with their native charts) plus a detail sheet of
/// N rows x 8 columns, written by <see cref="WorkbookWriter"/> to a file; and, in the same run, ClosedXML 0.95.4 alone writing
/// the same 100k x 8 rows. Each case runs in a child process of its own, so that its peak memory is that process's peak
/// resident set (the kernel's VmHWM, read by the child at its end) and no case inherits another's heap.
/// </summary>
internal static class ReportsBenchmark
{
    public const int Columns = 8;

    public static async Task RunAsync(string folder, int rows)
    {
        Console.WriteLine($"Excel report workbook, detail sheet x {Columns} columns plus all formatted sheets (each case in its own process, written twice: cold = the first workbook in a fresh process, JIT included; warm = the second, as a running portal writes it; CPU = the child's whole CPU time; peak = the child's peak resident memory over both, VmHWM)");
        Console.WriteLine($"  machine load average now: {LoadAverage()} (the wall-clock figures stretch with it; CPU time much less)");
        foreach (var (label, mode, count, target) in new[]
        {
            ("Portal WorkbookWriter", "ours", rows, "   (target <= 3 s, <= 250 MB)"),
            ("Portal WorkbookWriter", "ours", 1_000_000, "   (no target; must work)"),
            ("ClosedXML 0.95.4 alone, detail only", "closedxml", rows, "   (comparison)"),
        })
        {
            var result = await ChildAsync(folder, mode, count);
            Console.WriteLine($"  {label,-38} {count,9:N0} rows  cold {result.Seconds,6:F2} s, warm {result.Warm,6:F2} s (process CPU {result.Cpu,6:F2} s for both)  peak {result.PeakBytes / 1e6,5:F0} MB  file {result.FileBytes / 1e6,5:F1} MB{target}");
        }
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>
    /// One case, run by the child process: writes the workbook twice, cold (the first in a fresh process, JIT and static
    /// set-up included, as after a deploy) and warm (as a running portal writes its next report), and prints
    /// "seconds= warm= cpu= peak= bytes=". The rows are generated as they are written, as the database read yields them.
    /// </summary>
    public static async Task CaseAsync(string folder, string mode, int rows)
    {
        var path = Path.Combine(folder, $"{mode}-{rows}.xlsx");
        var cold = await WriteAsync(mode, rows, path);
        var warm = await WriteAsync(mode, rows, path);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds={cold} warm={warm} cpu={cpu} peak={PhasePeak.Bytes()} bytes={new FileInfo(path).Length}"));
        File.Delete(path);
    }

    private static async Task<double> WriteAsync(string mode, int rows, string path)
    {
        var watch = Stopwatch.StartNew();
        if (mode == "closedxml")
        {
            ClosedXmlAlone(path, rows);
        }
        else
        {
            await using var file = File.Create(path);
            await WorkbookWriter.WriteAsync(Spec(rows), file, null, CancellationToken.None);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double Seconds, double Warm, double Cpu, long PeakBytes, long FileBytes)> ChildAsync(string folder, string mode, int rows)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Under `dotnet run` the process is dotnet itself and the benchmark its first argument.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ReportsBenchmark).Assembly.Location);
        }

        foreach (var argument in new[] { "--suite", "reports-case", "--case", mode, "--rows", rows.ToString(CultureInfo.InvariantCulture), "--folder", folder })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The {mode} case at {rows:N0} rows failed ({process.ExitCode}): {error}");
        }

        var fields = (await output).Trim().Split('\n')[^1].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        return (double.Parse(fields["seconds"], CultureInfo.InvariantCulture), double.Parse(fields["warm"], CultureInfo.InvariantCulture), double.Parse(fields["cpu"], CultureInfo.InvariantCulture), long.Parse(fields["peak"], CultureInfo.InvariantCulture), long.Parse(fields["bytes"], CultureInfo.InvariantCulture));
    }

    /// <summary>What the issue measured: ClosedXML's own API, a worksheet filled cell by cell, as a table, saved.</summary>
    private static void ClosedXmlAlone(string path, int rows)
    {
        using var book = new XLWorkbook();
        var sheet = book.AddWorksheet("Detail");
        var headers = DetailColumns.Select(c => c.Header).ToArray();
        for (var c = 0; c < Columns; c++)
        {
            sheet.Cell(1, c + 1).Value = headers[c];
        }

        var r = 2;
        foreach (var values in RowValues(rows))
        {
            for (var c = 0; c < Columns; c++)
            {
                var cell = sheet.Cell(r, c + 1);
                switch (values[c])
                {
                    case string text:
                        cell.SetValue(text);
                        break;
                    case DateTime at:
                        cell.SetValue(at);
                        break;
                    case null:
                        break;
                    case var number:
                        cell.SetValue(Convert.ToDouble(number, CultureInfo.InvariantCulture));
                        break;
                }
            }

            r++;
        }

        sheet.Range(1, 1, rows + 1, Columns).CreateTable("Detail");
        sheet.SheetView.FreezeRows(1);
        book.SaveAs(path);
    }

    private static readonly ReportColumn[] DetailColumns =
    [
        new("Task", ColumnKind.Id), new("External id", ColumnKind.Text), new("Answers", ColumnKind.Text), new("Spans", ColumnKind.Text),
        new("Decided by", ColumnKind.Text), new("Rule", ColumnKind.Text), new("Agreement", ColumnKind.Percent), new("Decided", ColumnKind.DateTime),
    ];

    private static IEnumerable<object?[]> RowValues(int rows)
    {
        string[] people = ["Ana Annotator", "Ben Annotator", "Dana Annotator", "Eli Annotator", "Fay Annotator", "Gus Annotator"];
        string[] answers = ["Sentiment: Negative; Topic: Delivery", "Sentiment: Positive; Topic: Billing", "Sentiment: Neutral; Topic: Product"];
        var start = new DateTime(2026, 9, 1, 8, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            yield return
            [
                100_000L + i, $"msg-{i:D7}", answers[i % answers.Length], $"Company [{i % 40}–{(i % 40) + 18}]; City [{60 + (i % 30)}–{67 + (i % 30)}]",
                people[i % people.Length], i % 5 == 0 ? "adjudicated" : "majority", i % 7 == 0 ? null : 0.5 + (i % 50 / 100.0), start.AddMinutes(i),
            ];
        }
    }

    private static async IAsyncEnumerable<object?[]> DetailAsync(int rows)
    {
        foreach (var row in RowValues(rows))
        {
            yield return row;
        }

        await Task.CompletedTask;
    }

    /// <summary>A year's report of a 40-annotator project: every formatted sheet at a realistic size, and the detail rows.</summary>
    private static WorkbookSpec Spec(int rows)
    {
        const int annotators = 40;
        var names = Enumerable.Range(1, annotators).Select(i => $"Annotator {i:D2}").ToArray();
        var days = Enumerable.Range(0, 365).Select(d => new DateOnly(2025, 10, 1).AddDays(d)).ToArray();
        var about = new ReportTable("About", "About this workbook", [new("Item", ColumnKind.Text), new("Value", ColumnKind.Text)],
            [.. ReportDefinitions.Figures.Select(f => new object?[] { f.Figure, f.Meaning })], "");
        var summary = new ReportTable("Summary", "Key figures", [new("Figure", ColumnKind.Text), new("This period", ColumnKind.Number), new("Before", ColumnKind.Number), new("Change", ColumnKind.Percent)],
            [.. Enumerable.Range(0, 8).Select(i => new object?[] { $"Figure {i}", 100.0 + i, 90.0 + i, 0.1 })], "");
        var daily = new ReportTable("ProgressPerDay", "Work per day", [new("Day", ColumnKind.Date), .. new[] { "Submitted", "Reviewed", "Accepted", "Rejected", "Adjudicated", "Gold scored" }.Select(h => new ReportColumn(h, ColumnKind.Count))],
            [.. days.Select((d, i) => new object?[] { d, 300 + (i % 40), 120, 100, 20, 15, 12 })], "");
        var weekly = new ReportTable("ProgressPerWeek", "Submitted per annotator per week", [new("Week", ColumnKind.Date), .. names.Select(n => new ReportColumn(n, ColumnKind.Count))],
            [.. days.Where((_, i) => i % 7 == 0).Select(d => (object?[])[d, .. names.Select((_, a) => (object?)(50 + a))])], "");
        var cards = new ReportTable("Annotators", "Scorecards", [new("Annotator", ColumnKind.Text), new("Submitted", ColumnKind.Count), new("Seconds per task", ColumnKind.Number), new("Gold score", ColumnKind.Percent), new("Audit error rate", ColumnKind.Percent), new("Agreement", ColumnKind.Coefficient)],
            [.. names.Select((n, i) => new object?[] { n, 2_000 + i, 41.5, 0.9, 0.04, 0.78 })], "");
        var matrix = new ReportTable("PairwiseAgreement", "Pairwise agreement", [new("Annotator", ColumnKind.Text), .. names.Select(n => new ReportColumn(n, ColumnKind.Coefficient))],
            [.. names.Select((n, a) => (object?[])[n, .. names.Select((_, b) => a == b ? null : (object?)(0.5 + ((a + b) % 40 / 100.0)))])], "") { ColorScale = true };
        var trend = new ReportTable("AgreementTrend", "Agreement per day", [new("Day", ColumnKind.Date), new("Agreement", ColumnKind.Coefficient), new("Items", ColumnKind.Count)],
            [.. days.Select((d, i) => new object?[] { d, 0.7 + (i % 20 / 100.0), 500 + i })], "");
        var types = new ReportTable("AuditErrorTypes", "Which errors audits found", [new("Error type", ColumnKind.Text), new("Items", ColumnKind.Count)],
            [.. new[] { "Wrong label", "Missed span", "Span boundary", "Guideline gap" }.Select((t, i) => new object?[] { t, 40 - (i * 7) })], "");
        var findings = new ReportTable("DriftFindings", "Drift findings", [new("Found", ColumnKind.Date), new("Check", ColumnKind.Text), new("Finding", ColumnKind.Text), new("State", ColumnKind.Text)],
            [.. Enumerable.Range(0, 30).Select(i => new object?[] { days[i * 10], "label-mix", $"Negative share rose by {i} points", i % 3 == 0 ? "open" : "resolved" })], "");
        var gaps = new ReportTable("GuidelineGaps", "Guideline gaps", [new("Task", ColumnKind.Id), new("Note", ColumnKind.Text)],
            [.. Enumerable.Range(0, 25).Select(i => new object?[] { 1000 + i, $"Is a refund request a complaint? ({i})" })], "");
        ReportSheet[] sheets =
        [
            new("About", [], [about], []),
            new("Summary", ["Key figures."], [summary], []),
            new("Progress", [], [daily, weekly], [new ReportChart(ChartKind.Column, "Throughput", "ProgressPerDay", 0, [1])]),
            new("Annotators", [], [cards], [new ReportChart(ChartKind.Column, "Submitted per annotator", "Annotators", 0, [1])]),
            new("Agreement", [], [matrix, trend], [new ReportChart(ChartKind.Line, "Agreement trend", "AgreementTrend", 0, [1])]),
            new("Audits", [], [types], [new ReportChart(ChartKind.Doughnut, "Error types", "AuditErrorTypes", 0, [1])]),
            new("Drift", [], [findings], []),
            new("Guideline gaps", [], [gaps], []),
        ];
        return new WorkbookSpec("Benchmark report", "Portal project report", "Benchmark", new DateTime(2026, 10, 1, 6, 0, 0, DateTimeKind.Utc), sheets,
            new DetailSheet("Detail", "Detail", DetailColumns, rows, DetailAsync(rows)));
    }
}
