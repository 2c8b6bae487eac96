using System.Diagnostics;
using System.Globalization;
using System.Text;
using Portal.Core.Agreement;

// Portal benchmarks: the next-task queue (issue 4), the agreement engine (issue 3), the drift checks (issue 14) and more. Prints the figures;
// `benchmarks/run.sh` builds and runs everything.
// Options: --suite all|agreement|queue|import|import-load|audits|audit-queue|drift|dashboard|project-home|reports|overview (--folder DIR with a kept portal.db), --rows N (report detail rows, default 100,000), --units N (reliability units, default 1,000,000), --tasks N (queue tasks,
// imported tasks, audited annotations or project-home tasks, default 1,000,000), --annotations N (audit queue and drift checks: 1,000,000), --waiting N (audit queue: 8,000), --no-peers
// (skip NLTK/NumPy), --keep (leave the work folder with its databases; project-home --folder PATH measures the dashboard again on one), --portal PATH (Portal.Web.dll).
var options = Options.Parse(args);
var work = Directory.CreateTempSubdirectory("portal-bench-");
Console.WriteLine($"Portal benchmarks — {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();

try
{
    if (options.Suite == "reports-case")
    {
        // One measured case of the reports suite, in a process of its own (see ReportsBenchmark).
        await ReportsBenchmark.CaseAsync(options.Folder ?? work.FullName, options.Case, options.Rows);
        return;
    }

    if (options.Suite is "reports" or "all")
    {
        await ReportsBenchmark.RunAsync(work.FullName, options.Rows);
        Console.WriteLine();
        if (options.Suite == "reports")
        {
            return;
        }
    }

    if (options.Suite == "web-services" && options.Folder is { } million)
    {
        // Not part of "all": the web suite's services-level load alone, on its kept million-task database.
        await WebBenchmark.ServicesOnlyAsync(million, options.Tasks, options.ThinkMs);
        return;
    }

    if (options.Suite == "web")
    {
        // Not part of "all": it publishes the app, seeds a million-task project and drives headless Chromium.
        await WebBenchmark.RunAsync(work.FullName, options.Tasks, options.Pages, options.Rounds, options.ThinkMs, options.Folder, options.AppNice, options.Demo);
        return;
    }

    if (options.Suite is "import" or "all")
    {
        await ImportBenchmark.RunAsync(work.FullName, options.Tasks);
        Console.WriteLine();
        if (options.Suite == "import")
        {
            return;
        }
    }

    if (options.Suite is "import-load" or "all")
    {
        await ImportLoadBenchmark.RunAsync(work.FullName, options.Annotators == 50 ? 10 : options.Annotators);
        Console.WriteLine();
        if (options.Suite == "import-load")
        {
            return;
        }
    }

    if (options.Suite is "audits" or "all")
    {
        await AuditBenchmark.RunAsync(work.FullName, options.Tasks);
        Console.WriteLine();
        if (options.Suite == "audits")
        {
            return;
        }
    }

    if (options.Suite == "project-home" && options.Folder is { } kept)
    {
        // The dashboard measured again on the database an earlier "--keep" run left, without seeding it anew.
        await ProjectHomeBenchmark.DashboardAgainAsync(kept);
        return;
    }

    if (options.Suite is "project-home" or "all")
    {
        await ProjectHomeBenchmark.RunAsync(work.FullName, options.Tasks);
        Console.WriteLine();
        if (options.Suite == "project-home")
        {
            return;
        }
    }

    if (options.Suite is "drift" or "all")
    {
        await DriftBenchmark.RunAsync(work.FullName, options.Annotations);
        Console.WriteLine();
        if (options.Suite == "drift")
        {
            return;
        }
    }

    if (options.Suite == "overview")
    {
        // Not part of "all": it measures the project overview on a kept database (the web suite's million-task portal.db).
        await OverviewBenchmark.RunAsync(options.Folder ?? throw new ArgumentException("--suite overview needs --folder DIR holding portal.db"));
        return;
    }

    if (options.Suite == "dashboard")
    {
        await DashboardOnDriftSeed.RunAsync(work.FullName, options.Annotations);
        return;
    }

    if (options.Suite is "audit-queue" or "all")
    {
        await AuditQueueBenchmark.RunAsync(work.FullName, options.Annotations, options.Waiting);
        Console.WriteLine();
        if (options.Suite == "audit-queue")
        {
            return;
        }
    }

    if (options.Suite is "queue" or "all")
    {
        await QueueBenchmark.RunAsync(work.FullName, options.Tasks, options.Annotators, rounds: 10, options.ThinkMs);
        Console.WriteLine();
        if (options.Suite == "queue")
        {
            return;
        }
    }

    // 1. Krippendorff's alpha, nominal, units x 3 coders, 10% missing, in memory.
    var csv = Path.Combine(work.FullName, "reliability.csv");
    var data = Generate.Reliability(options.Units, coders: 3, missing: 0.10, csv);
    var ours = Measure.Best(5, () => CodingAgreement.KrippendorffAlpha(data, MeasurementLevel.Nominal).Alpha);
    Console.WriteLine($"alpha nominal, {options.Units:N0} units x 3 coders, 10% missing, in memory");
    Console.WriteLine($"  Portal.Core                 {ours.Seconds,9:F4} s   alpha={ours.Value:F10}");
    if (options.Peers)
    {
        var nltk = Peers.Run("nltk-alpha", csv);
        var numpy = Peers.Run("numpy-alpha", csv);
        Console.WriteLine($"  NLTK AnnotationTask.alpha   {nltk.Seconds,9:F4} s   alpha={nltk.Alpha:F10}   Portal is {nltk.Seconds / ours.Seconds:N0}x faster (target >= 50x)");
        Console.WriteLine($"  NumPy vectorised            {numpy.Seconds,9:F4} s   alpha={numpy.Alpha:F10}   Portal is {numpy.Seconds / ours.Seconds:N1}x faster (target >= 1x)");
    }

    Console.WriteLine($"  per 100k units: {ours.Seconds / options.Units * 100_000:F4} s (NumPy peers: about 0.1 s)");
    Console.WriteLine();

    // 2. The command line end to end on the same CSV, against NLTK reading the same file.
    if (options.PortalDll is { } dll)
    {
        var cli = Measure.Process("dotnet", $"\"{dll}\" agreement \"{csv}\" --format reliability-csv");
        Console.WriteLine($"agreement CLI end to end, {options.Units:N0}-unit reliability CSV ({new FileInfo(csv).Length / 1e6:F1} MB)");
        Console.WriteLine($"  Portal.Web agreement        {cli,9:F4} s");
        if (options.Peers)
        {
            var nltkCli = Measure.Process(Peers.Python, $"\"{Peers.Script}\" nltk-cli \"{csv}\"");
            Console.WriteLine($"  python3 + NLTK (read+alpha) {nltkCli,9:F4} s   Portal is {nltkCli / cli:N1}x faster (target >= 10x)");
        }

        Console.WriteLine();
    }

    // 3. Unitizing alpha: 1,000,000 spans over 100,000 tasks, 3 annotators.
    var (length, units, categories) = Generate.Unitizing(tasks: 100_000, annotators: 3, spansPerTask: 1_000_000 / 100_000);
    GC.Collect();
    var before = GC.GetTotalAllocatedBytes(precise: true);
    var unitizing = Measure.Once(() => UnitizingAlpha.Compute(0, length, 3, categories, units).Alpha);
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
    Console.WriteLine($"unitizing alpha, {units.Count:N0} spans over 100,000 tasks, 3 annotators, {categories} labels");
    Console.WriteLine($"  Portal.Core                 {unitizing.Seconds,9:F4} s   alpha={unitizing.Value:F6}   allocated {allocated / 1e6:F0} MB, process peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB (target < 5 s, < 1 GB)");
    Console.WriteLine();

    // 4. Span F1 matrix: 100,000 tasks x 3 annotators x 10 spans.
    var build = Stopwatch.StartNew();
    var study = Generate.SpanStudy(tasks: 100_000, annotators: 3, spansPerAnnotator: 10);
    build.Stop();
    var exact = Measure.Best(3, () => SpanAgreement.ExactF1(study).Mean);
    var overlap = Measure.Best(3, () => SpanAgreement.OverlapF1(study, 0.5).Mean);
    Console.WriteLine("span F1 matrix, 100,000 tasks x 3 annotators x 10 spans (3,000,000 spans)");
    Console.WriteLine($"  building the study (validate, sort, dedupe) {build.Elapsed.TotalSeconds:F4} s");
    Console.WriteLine($"  exact F1, all pairs + per label   {exact.Seconds,9:F4} s   mean={exact.Value:F6}");
    Console.WriteLine($"  overlap F1 (IoU >= 0.5)           {overlap.Seconds,9:F4} s   mean={overlap.Value:F6}   (target < 2 s each)");
}
finally
{
    if (options.Keep)
    {
        Console.WriteLine($"kept the work folder (databases and files) for inspection: {work.FullName}");
    }
    else
    {
        work.Delete(recursive: true);
    }
}

internal sealed record Options(int Units, bool Peers, string? PortalDll, string Suite, int Tasks, int Annotators, int ThinkMs, int Annotations = 1_000_000, int Waiting = 8_000)
{
    /// <summary>Reports: the detail sheet's rows (default 100,000).</summary>
    public int Rows { get; init; } = 100_000;

    /// <summary>Reports: the case a child process measures, and the folder it writes in.</summary>
    public string Case { get; init; } = "ours";

    public string? Folder { get; init; }

    /// <summary>Leaves the work folder in place, so its databases can be looked at (e.g. EXPLAIN QUERY PLAN in sqlite3).</summary>
    public bool Keep { get; init; }

    /// <summary>Web: the headless Chromium pages labeling at once (default 20) and the submits each makes (default 15).</summary>
    public int Pages { get; init; } = 20;

    public int Rounds { get; init; } = 15;

    /// <summary>The nice value the web suite starts the app at (Chromium runs its own browser and GPU processes at -8).</summary>
    public int AppNice { get; init; } = -8;

    /// <summary>Web: measure the 320-task demo too (the summary compares with it); --no-demo skips it for a quick look.</summary>
    public bool Demo { get; init; } = true;

    public static Options Parse(string[] args)
    {
        var units = 1_000_000;
        var tasks = 1_000_000;
        var peers = !args.Contains("--no-peers");
        var suite = "all";
        var annotators = 50;
        var thinkMs = 2000;
        var annotations = 1_000_000;
        var waiting = 8_000;
        string? dll = null;
        var rows = 100_000;
        var measured = "ours";
        string? folder = null;
        var keep = args.Contains("--keep");
        var pages = 20;
        var rounds = 15;
        var appNice = -8;
        var demo = !args.Contains("--no-demo");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--no-peers" or "--keep" or "--no-demo":
                    break;
                case "--units":
                    units = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--portal":
                    dll = args[++i];
                    break;
                case "--suite":
                    suite = args[++i];
                    break;
                case "--annotators":
                    annotators = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--think-ms":
                    thinkMs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--annotations":
                    annotations = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--waiting":
                    waiting = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--rows":
                    rows = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--case":
                    measured = args[++i];
                    break;
                case "--folder":
                    folder = args[++i];
                    break;
                case "--pages":
                    pages = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--app-nice":
                    appNice = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--tasks":
                    tasks = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --suite all|agreement|queue|import|import-load|audits|audit-queue|drift|dashboard|project-home|reports|web|web-services|overview, --pages N, --rounds N, --app-nice N, --no-demo (web), --units N, --rows N (reports), --annotations N, --waiting N, --tasks N, --annotators N, --think-ms N, --no-peers, --keep, --portal PATH/Portal.Web.dll");
            }
        }

        return new Options(units, peers, dll, suite, tasks, annotators, thinkMs, annotations, waiting) { Rows = rows, Case = measured, Folder = folder, Keep = keep, Pages = pages, Rounds = rounds, AppNice = appNice, Demo = demo };
    }
}

internal static class Measure
{
    public static (double Seconds, double? Value) Best(int runs, Func<double?> action)
    {
        action(); // warm-up (JIT)
        var best = double.MaxValue;
        double? value = null;
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            value = action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return (best, value);
    }

    public static (double Seconds, double? Value) Once(Func<double?> action)
    {
        var watch = Stopwatch.StartNew();
        var value = action();
        return (watch.Elapsed.TotalSeconds, value);
    }

    public static double Process(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var watch = Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {error}");
        }

        return watch.Elapsed.TotalSeconds;
    }
}

internal static class Peers
{
    public const string Python = "/usr/bin/python3"; // Debian's, where python3-nltk and python3-numpy install

    public static string Script => Path.Combine(AppContext.BaseDirectory, "peers.py");

    public static (double Seconds, double Alpha) Run(string mode, string csv)
    {
        var start = new ProcessStartInfo(Python, $"\"{Script}\" {mode} \"{csv}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"peers.py {mode} failed: {error}");
        }

        var fields = output.Trim().Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
        return (fields["seconds"], fields["alpha"]);
    }
}

internal static class Generate
{
    /// <summary>Units with a true category each; a coder agrees with it 80% of the time; 10% of cells missing.</summary>
    public static ReliabilityData Reliability(int units, int coders, double missing, string csvPath)
    {
        var random = new Random(42);
        var names = Enumerable.Range(1, coders).Select(i => $"coder{i}").ToList();
        var builder = new ReliabilityDataBuilder(names);
        var values = new string?[coders];
        string[] categories = ["1", "2", "3", "4", "5"];
        using var writer = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("unit," + string.Join(",", names) + "\n");
        var line = new StringBuilder();
        for (var u = 0; u < units; u++)
        {
            var truth = random.Next(categories.Length);
            line.Clear().Append('u').Append(u);
            for (var c = 0; c < coders; c++)
            {
                values[c] = random.NextDouble() < missing ? null
                    : categories[random.NextDouble() < 0.8 ? truth : random.Next(categories.Length)];
                line.Append(',').Append(values[c]);
            }

            builder.AddUnit(values.AsSpan());
            writer.Write(line.Append('\n'));
        }

        return builder.Build();
    }

    public static (long Length, List<UnitizingUnit> Units, int Categories) Unitizing(int tasks, int annotators, int spansPerTask)
    {
        const int categories = 8;
        var random = new Random(7);
        var units = new List<UnitizingUnit>(tasks * spansPerTask);
        long offset = 0;
        var perAnnotator = spansPerTask / annotators + 1;
        for (var t = 0; t < tasks && units.Count < tasks * spansPerTask; t++)
        {
            const int textLength = 400;
            // Shared "true" entities, each annotator slightly off sometimes.
            for (var e = 0; e < perAnnotator; e++)
            {
                var start = (e * (textLength / perAnnotator)) + random.Next(5);
                var length = 3 + random.Next(20);
                var category = random.Next(categories);
                for (var a = 0; a < annotators && units.Count < tasks * spansPerTask; a++)
                {
                    var shift = random.NextDouble() < 0.2 ? random.Next(-2, 3) : 0;
                    units.Add(new UnitizingUnit(offset + Math.Max(0, start + shift), length, a, random.NextDouble() < 0.1 ? random.Next(categories) : category));
                }
            }

            offset += textLength;
        }

        return (offset, units, categories);
    }

    public static SpanStudy SpanStudy(int tasks, int annotators, int spansPerAnnotator)
    {
        var random = new Random(11);
        var study = new SpanStudy([.. Enumerable.Range(1, annotators).Select(i => $"annotator{i}")]);
        string[] labels = ["PER", "ORG", "LOC", "MISC", "DATE", "MONEY"];
        var perAnnotator = new List<(int, int, string)>?[annotators];
        for (var t = 0; t < tasks; t++)
        {
            const int textLength = 600;
            for (var a = 0; a < annotators; a++)
            {
                perAnnotator[a] = new List<(int, int, string)>(spansPerAnnotator);
            }

            for (var e = 0; e < spansPerAnnotator; e++)
            {
                var start = (e * 55) + random.Next(10);
                var end = start + 4 + random.Next(30);
                var label = labels[random.Next(labels.Length)];
                for (var a = 0; a < annotators; a++)
                {
                    var roll = random.NextDouble();
                    perAnnotator[a]!.Add(roll < 0.75 ? (start, end, label) : roll < 0.9 ? (start, end - 1, label) : (start, end, labels[random.Next(labels.Length)]));
                }
            }

            study.AddTask($"t{t}", textLength, perAnnotator);
        }

        return study;
    }
}
