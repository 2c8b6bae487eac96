using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Jobs;
using Portal.Web.Labeling;
using Portal.Web.Taxonomy;

/// <summary>
/// The published app on loopback, driven by headless Chromium pages as people use it (issue 18): first loads of the
/// home, project, labeling, review and task-list pages; N annotators at once looping select → label → Ctrl+Enter with
/// the submit → next task time taken inside the page; server memory per idle labeling circuit and after the pages
/// close. Measured on the 320-task demo and on a project of a million tasks with history, in the same run: the ratio is
/// the figure that counts. The app logs its SQL with timings, so the slowest statements of each phase are printed.
/// </summary>
internal static class WebBenchmark
{
    private const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    /// <summary>The labeling page logs the server's time for each submit and next task at Debug (LabelingPage.SubmitAsync).</summary>
    private const string SubmitCategory = "Portal.Web.Components.Labeling.LabelingPage";

    public static async Task RunAsync(string folder, int tasks, int pages, int rounds, int thinkMs, string? kept, int appNice, bool withDemo = true)
    {
        var app = await PublishAsync(folder);
        Console.WriteLine($"web: the published app (Release) on loopback; {pages} headless Chromium pages at once, {rounds} submits each; 2 cores shared by app and browsers");
        Console.WriteLine($"  the app runs at nice {appNice}: Chromium (run as root) raises its own browser and GPU processes to -8, and in production the app has its machine to itself; --app-nice 0 runs it below them");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });

        SiteFigures? demo = null;
        if (withDemo)
        {
            var demoFolder = Directory.CreateDirectory(Path.Combine(folder, "demo")).FullName;
            await using var site = await PortalProcess.StartAsync(app, demoFolder, seedDemo: true, appNice);
            var target = await DemoSiteAsync(demoFolder, pages, rounds);
            demo = await MeasureAsync(browser, site, target, "demo, 320 tasks", pages, rounds, thinkMs);
        }

        if (tasks == 0)
        {
            // --tasks 0: the demo alone, for a quick look at one change (circuit memory, a page's statements).
            return;
        }

        var bigFolder = kept ?? Directory.CreateDirectory(Path.Combine(folder, "million")).FullName;
        var big = await BigSiteAsync(bigFolder, tasks, pages);
        SiteFigures million;
        await using (var site = await PortalProcess.StartAsync(app, bigFolder, seedDemo: false, appNice))
        {
            million = await MeasureAsync(browser, site, big, $"{tasks:N0} tasks", pages, rounds, thinkMs);
        }

        var services = await ServicesLoadAsync(bigFolder, big, tasks, thinkMs);
        if (demo is null)
        {
            // --no-demo: the million-task figures alone, for a quick look at one change (the summary compares with the demo).
            return;
        }

        Console.WriteLine();
        Console.WriteLine($"web summary ({tasks:N0} tasks vs the demo, same run)");
        foreach (var (name, ours, theirs) in new[] { ($"paced {ReadingMs / 2000}-{ReadingMs * 3 / 2000} s", million.Reading, demo.Reading), ($"paced {thinkMs / 2000.0:0.#}-{thinkMs * 3 / 2000.0:0.#} s", million.Submit, demo.Submit), ("stress", million.Stress, demo.Stress) })
        {
            Console.WriteLine($"  submit -> next, {name,-12} p50 {ours.P50,6:F0} ms vs {theirs.P50,4:F0}   p95 {ours.P95,6:F0} ms vs {theirs.P95,4:F0} ({ours.P95 / theirs.P95:F2}x)   max {ours.Max,6:F0} ms   over 400 ms: {ours.Over400} of {ours.Count}   (target p95 <= 100 ms, none over 400)");
        }

        foreach (var (name, ms) in million.FirstLoads)
        {
            Console.WriteLine($"  first load {name,-12} {ms,6:F0} ms vs {demo.FirstLoads[name],5:F0} ms on the demo   (target < 1,000 ms)");
        }

        Console.WriteLine($"  per idle labeling circuit: {million.PerCircuit} vs {demo.PerCircuit} on the demo   (target <= 500 KB)");
        Console.WriteLine($"  after the pages closed, against when they were last closed before labeling: {million.AfterClose} vs {demo.AfterClose} on the demo   (target: nothing kept)");
        foreach (var line in services)
        {
            Console.WriteLine($"  {line}");
        }
    }

    /// <summary>The annotators the services-level load runs as (the pages are bench:0 to bench:19, the drafts bench:70 on).</summary>
    private static readonly int[] LoadPeople = [.. Enumerable.Range(20, ServiceAnnotators)];

    private const int ServiceAnnotators = 50;

    private const int ServiceRounds = 10;

    /// <summary>
    /// The services-level load on the million-task project (the app stopped): 50 annotators at once calling the labeling
    /// service as the page does, first with think time, then without (stress); beside the same load on a fresh queue of
    /// 100,000 tasks without history, in a database of its own. Returns the summary lines.
    /// </summary>
    /// <summary>The services-level load alone, on a kept million-task database (--suite web-services --folder DIR): a quick look at one change.</summary>
    public static async Task ServicesOnlyAsync(string folder, int tasks, int thinkMs)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "portal.db");
        Guid projectId;
        await using (services)
        {
            await using var db = await factory.CreateDbContextAsync();
            projectId = await db.Projects.Where(p => p.Name == "Project home benchmark").Select(p => p.Id).SingleAsync();
        }

        SqliteConnection.ClearAllPools();
        foreach (var line in await ServicesLoadAsync(folder, new Site(projectId, "", []), tasks, thinkMs))
        {
            Console.WriteLine($"  {line}");
        }
    }

    private static async Task<List<string>> ServicesLoadAsync(string folder, Site big, int tasks, int thinkMs)
    {
        Console.WriteLine();
        Console.WriteLine($"services, {ServiceAnnotators} annotators at once calling the labeling service directly (next task, submit), {ServiceRounds} tasks each per mode");
        var summary = new List<string>();
        var modes = new[] { ($"{thinkMs / 2}-{thinkMs * 3 / 2} ms between tasks", thinkMs), ("stress, no pause", 0) };
        var figures = new Dictionary<(string Site, int ThinkMs), (Stats Next, Stats Submit)>();
        var fresh = Directory.CreateDirectory(Path.Combine(folder, "fresh-queue")).FullName;
        foreach (var (name, databaseFolder) in new[] { ($"{tasks:N0} tasks with history", folder), ("fresh queue, 100,000 tasks, no history", fresh) })
        {
            var (services, factory) = await BenchDatabase.CreateAsync(databaseFolder, "portal.db");
            await using var _ = services;
            var (projectId, people) = databaseFolder == folder
                ? (big.ProjectId, await PeopleAsync(factory, LoadPeople))
                : await FreshQueueAsync(factory);
            var labeling = services.GetRequiredService<LabelingService>();
            // Three in four submits give the usual answer and one another sentiment, so tasks complete in agreement and in
            // disagreement (consensus then reads the project's recent answers for annotator skill).
            var answer = await AnswerAsync(services, factory, projectId);
            var other = await AnswerAsync(services, factory, projectId, sentiment: 1);
            foreach (var (mode, think) in modes)
            {
                using var sql = SqlLog.Instance.Start();
                var (next, submit, wall) = await QueueBenchmark.LoadAsync(labeling, projectId, people, [answer, answer, answer, other], ServiceRounds, think);
                var (n, s) = (Stats.Of(next), Stats.Of(submit));
                figures[(name, think)] = (n, s);
                Console.WriteLine($"  {name}, {mode}: next p50 {n.P50:F1} ms   p95 {n.P95:F1} ms   max {n.Max:F0} ms;   submit p50 {s.P50:F1} ms   p95 {s.P95:F1} ms   max {s.Max:F0} ms   ({next.Count / wall.TotalSeconds:F1} tasks/s)");
                Console.WriteLine($"    {sql.Commands.Count} statements, {sql.Commands.Sum(c => c.Ms):F0} ms; the slowest kinds (max, how many, total):");
                foreach (var kind in sql.Commands.GroupBy(c => c.Sql).OrderByDescending(g => g.Max(c => c.Ms)).Take(4))
                {
                    Console.WriteLine($"      {kind.Max(c => c.Ms),6:F0} ms  {kind.Count(),5}x {kind.Sum(c => c.Ms),6:F0} ms  {string.Join(" ", kind.Key.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}");
                }
            }
        }

        var (ours, theirs) = ($"{tasks:N0} tasks with history", "fresh queue, 100,000 tasks, no history");
        foreach (var (mode, think) in modes)
        {
            var (a, b) = (figures[(ours, think)], figures[(theirs, think)]);
            summary.Add($"services, 50 annotators, {mode}: next p50 {a.Next.P50:F1} / p95 {a.Next.P95:F1} ms vs {b.Next.P50:F1} / {b.Next.P95:F1} on a fresh queue;   submit p50 {a.Submit.P50:F1} / p95 {a.Submit.P95:F1} ms vs {b.Submit.P50:F1} / {b.Submit.P95:F1}");
        }

        return summary;
    }

    private static async Task<(Guid ProjectId, List<PortalPrincipal> People)> FreshQueueAsync(IDbContextFactory<PortalDbContext> factory)
    {
        await using (var db = await factory.CreateDbContextAsync())
        {
            if (await db.Projects.Where(p => p.Name == "Queue benchmark").Select(p => (Guid?)p.Id).SingleOrDefaultAsync() is { } kept)
            {
                return (kept, await PeopleAsync(factory, [.. Enumerable.Range(0, ServiceAnnotators)]));
            }
        }

        var (projectId, people, _) = await QueueBenchmark.SeedAsync(factory, 100_000, ServiceAnnotators);
        return (projectId, people);
    }

    /// <summary>The benchmark people bench:N as principals (portal users, project annotators).</summary>
    private static async Task<List<PortalPrincipal>> PeopleAsync(IDbContextFactory<PortalDbContext> factory, IReadOnlyList<int> numbers)
    {
        await using var db = await factory.CreateDbContextAsync();
        var keys = numbers.Select(n => $"{UserDirectoryPrefix}bench:{n}").Concat(numbers.Select(n => $"bench:{n}")).ToList();
        var users = await db.Users.Where(u => keys.Contains(u.ExternalId)).Select(u => new { u.Id, u.ExternalId, u.DisplayName }).ToListAsync();
        return [.. users.OrderBy(u => u.ExternalId, StringComparer.Ordinal).Select(u => new PortalPrincipal(u.Id, u.DisplayName, new HashSet<string> { AppRoles.User }))];
    }

    /// <summary>An answer to the project's two questions (the first choice of each, or the sentiment's choice asked for), as the labeling page submits it.</summary>
    private static async Task<AnnotationResult> AnswerAsync(ServiceProvider services, IDbContextFactory<PortalDbContext> factory, Guid projectId, int sentiment = 0)
    {
        await using var db = await factory.CreateDbContextAsync();
        var versionId = await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync();
        var controls = await services.GetRequiredService<LabelSetCache>().GetAsync(db, versionId!.Value, default);
        return new AnnotationResult([], [.. new[] { ("intent", 0), ("sentiment", sentiment) }.Select(q => new AnswerValue(q.Item1, controls.Single(c => c.Name == q.Item1).Labels[q.Item2].Key))]);
    }

    /// <summary>
    /// Drafts left behind, as people leave them: 30 annotators (bench:70 on) each open 20 tasks, save a draft and walk
    /// away; their reservations run out and the expiry job gives the slots back, the drafts stay. Through the services,
    /// so every row is as the app writes it. Skipped when the project has drafts already (a kept database).
    /// </summary>
    private static async Task DraftsAsync(ServiceProvider services, IDbContextFactory<PortalDbContext> factory, Guid projectId)
    {
        await using (var db = await factory.CreateDbContextAsync())
        {
            if (await db.Annotations.AnyAsync(a => a.ProjectId == projectId && a.Status == AnnotationStatus.Draft))
            {
                return;
            }
        }

        var watch = Stopwatch.StartNew();
        var people = await PeopleAsync(factory, [.. Enumerable.Range(70, 30)]);
        var labeling = services.GetRequiredService<LabelingService>();
        var answer = await AnswerAsync(services, factory, projectId);
        var drafts = 0;
        for (var round = 0; round < 20; round++)
        {
            foreach (var person in people)
            {
                if (await labeling.NextAsync(person, projectId, default) is { RetestId: null } item)
                {
                    await labeling.SaveDraftAsync(person, projectId, item.TaskId, answer with { Answers = answer.Answers.Take(1).ToList() }, item.Version, default);
                    drafts++;
                }
            }

            await using var db = await factory.CreateDbContextAsync();
            await db.Reservations.Where(r => r.ProjectId == projectId).ExecuteUpdateAsync(u => u.SetProperty(r => r.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
            await services.GetRequiredService<ExpireReservationsJob>().RunAsync(default);
        }

        Console.WriteLine($"  {drafts} drafts left behind by 30 annotators in {watch.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Publishes Portal.Web in Release, as it is deployed.</summary>
    private static async Task<string> PublishAsync(string folder)
    {
        var output = Path.Combine(folder, "app");
        var root = Directory.GetCurrentDirectory();
        using var publish = Process.Start(new ProcessStartInfo("dotnet", $"publish \"{Path.Combine(root, "Portal.Web")}\" -c Release -o \"{output}\" -v quiet -nologo")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish Portal.Web failed ({publish.ExitCode}): {await log}{errors}");
        }

        return Path.Combine(output, "Portal.Web.dll");
    }

    /// <summary>The demo's largest project, with <paramref name="pages"/> extra annotators (demo users, so they can sign in, past onboarding) added to it.</summary>
    private static async Task<Site> DemoSiteAsync(string folder, int pages, int rounds)
    {
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "portal.db");
        await using var _ = services;
        await using var db = await factory.CreateDbContextAsync();
        var projectId = await db.Tasks.GroupBy(t => t.ProjectId).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstAsync();
        var manager = await db.Users.Where(u => u.DemoAppRoles != null && u.DemoAppRoles.Contains(AppRoles.Manager)).OrderBy(u => u.ExternalId).Select(u => u.ExternalId).FirstAsync();
        var now = DateTime.UtcNow;
        var keys = new List<string>();
        for (var i = 0; i < pages; i++)
        {
            var user = new User { Id = Guid.CreateVersion7(), ExternalId = $"{UserDirectoryPrefix}bench-{i}", Email = $"bench{i}@demo", DisplayName = $"Bench {i}", CreatedAt = now, DemoAppRoles = AppRoles.User };
            db.Users.Add(user);
            // Past onboarding (the demo asks newcomers for gold tasks first and holds them below the pass mark).
            db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = user.Id, Role = ProjectRole.Annotator, AddedAt = now, OnboardedAt = now });
            keys.Add(user.ExternalId);
        }

        await db.SaveChangesAsync();
        await NoAutoPauseAsync(db, projectId);

        // The three loops submit pages x rounds x 3 tasks; the demo's 320 tasks at two annotators each hold fewer open
        // slots than that, so each task takes as many more annotators as the loops need (consensus then runs when the
        // last of them submits, as it does at a million with three).
        var more = (pages * rounds * 3 + 319) / 320;
        await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.AnnotatorsPerTask, p => p.AnnotatorsPerTask + more));
        await db.Tasks.Where(t => t.ProjectId == projectId && !t.IsGold && t.DeletedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.TargetAnnotations, t => t.TargetAnnotations + more).SetProperty(t => t.IsAvailable, t => t.AssignedCount < t.TargetAnnotations + more));
        SqliteConnection.ClearAllPools();
        return new Site(projectId, manager, keys);
    }

    /// <summary>
    /// The project home benchmark's project (nine tenths of the tasks, each labeled by three of 100 annotators, a year of
    /// snapshots, review requests) plus a tenth fresh, open tasks for the pages to label; its people made demo users.
    /// A folder given with --folder that already holds it is used as it is.
    /// </summary>
    private static async Task<Site> BigSiteAsync(string folder, int tasks, int pages)
    {
        var file = Path.Combine(folder, "portal.db");
        var seeded = File.Exists(file);
        var (services, factory) = await BenchDatabase.CreateAsync(folder, "portal.db");
        await using var _ = services;
        if (!seeded)
        {
            var watch = Stopwatch.StartNew();
            var home = await ProjectHomeSeed.SeedAsync(factory, tasks - (tasks / 10), 3, default);
            await FreshTasksAsync(factory, home.ProjectId, tasks / 10);
            await using var db = await factory.CreateDbContextAsync();
            await db.Database.ExecuteSqlRawAsync($"UPDATE Users SET ExternalId = '{UserDirectoryPrefix}' || ExternalId, DemoAppRoles = '{AppRoles.User}'");
            await db.Database.ExecuteSqlRawAsync($"UPDATE Users SET DemoAppRoles = '{AppRoles.Manager}' WHERE ExternalId = '{UserDirectoryPrefix}bench:manager'");
            await db.Database.ExecuteSqlAsync($"UPDATE ProjectMembers SET OnboardedAt = {DateTime.UtcNow}");
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
            Console.WriteLine($"  seeded {home.Tasks + (tasks / 10):N0} tasks ({tasks / 10:N0} fresh), {home.Annotations:N0} annotations in {watch.Elapsed.TotalSeconds:F0} s");
        }

        await using var read = await factory.CreateDbContextAsync();
        var projectId = await read.Projects.Where(p => p.Name == "Project home benchmark").Select(p => p.Id).SingleAsync();
        await NoAutoPauseAsync(read, projectId);
        await DraftsAsync(services, factory, projectId);
        SqliteConnection.ClearAllPools();
        return new Site(projectId, $"{UserDirectoryPrefix}bench:manager", [.. Enumerable.Range(0, pages).Select(i => $"{UserDirectoryPrefix}bench:{i}")]);
    }

    /// <summary>The pages label at random, so their gold scores are poor: without this the project's auto-pause would stop them mid-run.</summary>
    private static async Task NoAutoPauseAsync(PortalDbContext db, Guid projectId) =>
        await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(u => u.SetProperty(p => p.AutoPauseWindow, 0));

    private const string UserDirectoryPrefix = Portal.Web.Auth.UserDirectory.DemoPrefix;

    private static async Task FreshTasksAsync(IDbContextFactory<PortalDbContext> factory, Guid projectId, int count)
    {
        await using var db = await factory.CreateDbContextAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var insert = BenchDatabase.Command(connection, transaction, """
            INSERT INTO Tasks (ProjectId, ExternalId, ContentHash, Text, Priority, IsGold, State, TargetAnnotations, AssignedCount, SubmittedCount, IsAvailable, CreatedAt, Version)
            VALUES ($project, $external, $hash, $text, 0, 0, 0, 2, 0, 0, 1, $created, 0)
            """, "$project", "$external", "$hash", "$text", "$created");
        var created = BenchDatabase.Text(DateTime.UtcNow);
        for (var i = 0; i < count; i++)
        {
            await BenchDatabase.Run(insert, BenchDatabase.Text(projectId), $"fresh-{i}", $"fresh{i:x60}",
                $"Hello, my order #{700000 + i} from Nordwind Logistics arrived broken in Hamburg and I want a refund.", created);
        }

        await transaction.CommitAsync();
    }

    private static async Task<SiteFigures> MeasureAsync(IBrowser browser, PortalProcess site, Site target, string name, int pages, int rounds, int thinkMs)
    {
        Console.WriteLine();
        Console.WriteLine($"web, {name} (app pid {site.Pid})");
        var project = $"/projects/{target.ProjectId}";
        var loads = new Dictionary<string, double>();
        var lead = await SignInAsync(browser, site.BaseAddress, target.Reviewer);
        var annotator = await SignInAsync(browser, site.BaseAddress, target.Annotators[0]);
        foreach (var (page, context, path, ready) in new[]
        {
            ("home", lead, "/", ".project-card"),
            ("project", lead, project, "#project-name"),
            ("labeling", annotator, $"{project}/label", ".span-text[data-ready='true']"),
            ("review", lead, $"{project}/review", "#review-item"),
            ("task list", lead, $"{project}/tasks", "#task-table .task-id"),
        })
        {
            var mark = site.LogMark();
            var times = new List<double>();
            for (var i = 0; i < 6; i++)
            {
                times.Add(await LoadAsync(context, new Uri(site.BaseAddress, path), ready));
            }

            // The first load after the start pays for compiling; the figure is the median of the five after it.
            var warm = times.Skip(1).Order().ElementAt(2);
            loads[page] = warm;
            Console.WriteLine($"  first load {page,-10} {warm,6:F0} ms median of 5 (first after start {times[0]:F0} ms)   {site.Sql(mark, 3)}");
        }

        await lead.CloseAsync();
        await annotator.CloseAsync();
        var before = await site.SettledAsync();

        // Every annotator opens the labeling page; then all loop at once, as fast as the browser lets them.
        var contexts = new IBrowserContext[pages];
        var open = new IPage[pages];
        await Parallel.ForEachAsync(Enumerable.Range(0, pages), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            contexts[i] = await SignInAsync(browser, site.BaseAddress, target.Annotators[i]);
            open[i] = await OpenLabelingAsync(contexts[i], site.BaseAddress, project);
        });
        var first = await site.SettledAsync();

        // What a circuit holds, measured warm: the first opening also grows what every page shares (the connection pool,
        // compiled queries, caches), so the pages close (as a person closes a tab) and open again, and a circuit is the
        // heap with them open minus the heap right after they closed.
        await CloseAllAsync(open);
        var reopened = await site.SettledAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, pages), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            open[i] = await OpenLabelingAsync(contexts[i], site.BaseAddress, project));
        var idle = await site.SettledAsync();
        var perCircuit = (idle - reopened) / pages;
        var (idleApp, idleMachine) = (site.Cpu, MachineCpu());
        await Task.Delay(TimeSpan.FromSeconds(10));
        Console.WriteLine($"  {pages} idle labeling pages for 10 s: the machine {(MachineCpu() - idleMachine).TotalSeconds / (10.0 * Environment.ProcessorCount):P0} busy, the app {(site.Cpu - idleApp).TotalSeconds / 10.0:P0} of a core");
        Console.WriteLine($"  server memory after a full GC: before the pages {before}; {pages} labeling pages open {first}, closed {reopened}, open again and idle {idle}: a circuit {perCircuit} (first opening {(first - before) / pages})");

        // First with a pause between tasks for reading and labeling (people take 10-60 s; this is still faster), then
        // compressed to the --think-ms pause, then as fast as the browsers go: 20 Chromium pages without a pause saturate
        // the two cores the app shares with them.
        // One submit per page first, measured and printed on its own: the first submits after the app started compile
        // the submit path's queries and jit its code, a cost paid once per start (as the queue benchmark's warm-up).
        await LoopAsync(site, open, 1, ReadingMs, "first submit of each page after the app started (warm-up, not in the summary)");
        var reading = await LoopAsync(site, open, rounds, ReadingMs, $"with {ReadingMs / 2}-{ReadingMs * 3 / 2} ms between tasks");
        var paced = await LoopAsync(site, open, rounds, thinkMs, $"with {thinkMs / 2}-{thinkMs * 3 / 2} ms between tasks");
        var stress = await LoopAsync(site, open, rounds, 0, "stress, no pause");

        var busy = await site.SettledAsync();
        await CloseAllAsync(open);
        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }

        var closed = await site.SettledAsync();
        Console.WriteLine($"  after labeling {busy}; {pages} pages closed {closed}: {closed - reopened} more than when they were last closed before labeling, {closed - before} more than before they first opened");
        return new SiteFigures(reading, paced, stress, loads, perCircuit, closed - reopened);
    }

    private static async Task<IPage> OpenLabelingAsync(IBrowserContext context, Uri baseAddress, string project)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(baseAddress, $"{project}/label").ToString());
        await page.Locator(".span-text[data-ready='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        return page;
    }

    /// <summary>Closes the pages as a person closes a tab: the page unloads, and Blazor tells the server the circuit is gone.</summary>
    private static async Task CloseAllAsync(IPage[] pages)
    {
        foreach (var page in pages)
        {
            await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
    }

    /// <summary>Every page labels and submits <paramref name="rounds"/> tasks at once, pausing about <paramref name="thinkMs"/> before each.</summary>
    private static async Task<Stats> LoopAsync(PortalProcess site, IPage[] open, int rounds, int thinkMs, string name)
    {
        var mark = site.LogMark();
        var submits = new List<double>();
        var (appCpu, machineCpu) = (site.Cpu, MachineCpu());
        var sessions = await Task.WhenAll(open.Select(p => p.Context.NewCDPSessionAsync(p)));
        foreach (var session in sessions)
        {
            await session.SendAsync("Performance.enable");
        }

        var pageBefore = await PageMetricsAsync(sessions);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(open.Select(async (page, i) =>
        {
            var random = new Random(i);
            for (var r = 0; r < rounds; r++)
            {
                await Task.Delay(thinkMs == 0 ? 0 : random.Next(thinkMs / 2, thinkMs * 3 / 2));
                var ms = await LabelAndSubmitAsync(page);
                lock (submits)
                {
                    submits.Add(ms);
                }
            }
        }));
        var submit = Stats.Of(submits);
        Console.WriteLine($"  submit -> next task shown (in the page), {name}: p50 {submit.P50:F0} ms   p95 {submit.P95:F0} ms   max {submit.Max:F0} ms   over 400 ms: {submit.Over400} of {submit.Count}   ({submits.Count / wall.Elapsed.TotalSeconds:F1} submits/s)");
        var server = site.ServerSubmits(mark);
        if (server.Count > 0)
        {
            var (saves, nexts, both) = (Stats.Of([.. server.Select(t => t.Submit)]), Stats.Of([.. server.Select(t => t.Next)]), Stats.Of([.. server.Select(t => t.Submit + t.Next)]));
            Console.WriteLine($"    of which on the server (the page's handler, before rendering): submit p50 {saves.P50:F0} / p95 {saves.P95:F0} ms, next task p50 {nexts.P50:F0} / p95 {nexts.P95:F0} ms, both p50 {both.P50:F0} / p95 {both.P95:F0} / max {both.Max:F0} ms, over 400 ms: {both.Over400}");
            // Which ones, in the order the server finished them: a first-time cost (a query compiled, code jitted) comes early.
            var slow = server.Select((t, i) => (t, i)).Where(x => x.t.Submit + x.t.Next > 250).Select(x => $"#{x.i + 1} ({x.t.Submit:F0} + {x.t.Next:F0} ms)").ToList();
            if (slow.Count > 0)
            {
                Console.WriteLine($"    on the server over 250 ms, submit + next: {string.Join(", ", slow)} of {server.Count}");
            }

        }

        var (app, machine) = ((site.Cpu - appCpu).TotalMilliseconds, (MachineCpu() - machineCpu).TotalMilliseconds);
        Console.WriteLine($"    processor time per submit: the app {app / submits.Count:F0} ms, everything else (Chromium, Playwright, the rest) {(machine - app) / submits.Count:F0} ms; the machine was {machine / (wall.Elapsed.TotalMilliseconds * Environment.ProcessorCount):P0} busy");
        var pageAfter = await PageMetricsAsync(sessions);

        string PerSubmit(string metric) => $"{(pageAfter[metric] - pageBefore[metric]) * 1000 / submits.Count:F0} ms";
        Console.WriteLine($"    in the pages' main threads per submit (Chromium's metrics, wall clock, so they include waiting for a core): tasks {PerSubmit("TaskDuration")}, of which script {PerSubmit("ScriptDuration")}, style {PerSubmit("RecalcStyleDuration")}, layout {PerSubmit("LayoutDuration")}");
        foreach (var session in sessions)
        {
            await session.DetachAsync();
        }

        Console.WriteLine($"    statements ({submits.Count} submits): {site.Sql(mark, 4, frequent: 8)}");
        return submit;
    }

    /// <summary>Chromium's performance metrics (seconds of main-thread work by kind) summed over the pages.</summary>
    private static async Task<Dictionary<string, double>> PageMetricsAsync(ICDPSession[] sessions)
    {
        var sums = new Dictionary<string, double>();
        foreach (var session in sessions)
        {
            var reply = await session.SendAsync("Performance.getMetrics");
            foreach (var metric in reply!.Value.GetProperty("metrics").EnumerateArray())
            {
                var name = metric.GetProperty("name").GetString()!;
                sums[name] = sums.GetValueOrDefault(name) + metric.GetProperty("value").GetDouble();
            }
        }

        return sums;
    }

    /// <summary>Processor time the whole machine has spent outside idle and I/O wait since boot (Linux /proc/stat).</summary>
    private static TimeSpan MachineCpu()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var busy = fields.Sum() - fields[3] - fields[4];
        return TimeSpan.FromSeconds(busy / 100.0);
    }

    private static async Task<IBrowserContext> SignInAsync(IBrowser browser, Uri baseAddress, string user)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(baseAddress, "/account/signin").ToString());
        await page.Locator($"button[data-user='{user}']").ClickAsync();
        try
        {
            await page.WaitForURLAsync(new Uri(baseAddress, "/").ToString(), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Demo sign-in as {user} did not reach the home page; the browser is at {page.Url}.", ex);
        }

        await page.CloseAsync();
        return context;
    }

    /// <summary>Navigation start to the page's content shown and the page interactive, as the browser's clock has it.</summary>
    private static async Task<double> LoadAsync(IBrowserContext context, Uri address, string ready)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(address.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator(ready).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.Locator("#portal-interactive").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        var ms = await page.EvaluateAsync<double>("() => performance.now()");
        await page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        return ms;
    }

    /// <summary>
    /// Marks a word as a span (drag, then the label's key), answers both questions, presses Ctrl+Enter; returns the time
    /// from the key press to the next task's text shown and ready, measured in the page.
    /// </summary>
    private static async Task<double> LabelAndSubmitAsync(IPage page)
    {
        await page.Locator(".span-text[data-ready='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await Portal.Tests.Web.Browser.SpanGestures.DragOverFirstWordAsync(page);
        await page.Keyboard.PressAsync("p");
        await page.Locator(".question[data-control='intent'] .mud-radio").First.ClickAsync();
        await page.Locator(".question[data-control='sentiment'] .mud-radio").First.ClickAsync();

        // The page itself times the submit and resolves a promise when the next task shows: waiting on it costs the browser
        // nothing, where polling the page every animation frame (Playwright's WaitForFunction) kept 20 renderers busy.
        await page.EvaluateAsync("""
            () => {
              const before = document.querySelector('#task-id').textContent;
              window.__submitted = new Promise(resolve => {
                const onKey = e => {
                  if (e.key !== 'Enter' || !e.ctrlKey) return;
                  document.removeEventListener('keydown', onKey, true);
                  const start = performance.now();
                  const observer = new MutationObserver(() => {
                    const id = document.querySelector('#task-id');
                    if (id && id.textContent !== before && document.querySelector(".span-text[data-ready='true']")) {
                      observer.disconnect();
                      resolve(performance.now() - start);
                    }
                  });
                  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
                };
                document.addEventListener('keydown', onKey, true);
              });
            }
            """);
        await page.Keyboard.PressAsync("Control+Enter");
        var shown = page.EvaluateAsync<double>("() => window.__submitted");
        if (await Task.WhenAny(shown, Task.Delay(TimeSpan.FromSeconds(60))) != shown)
        {
            var shot = Path.Combine(Path.GetTempPath(), $"web-bench-stuck-{Guid.NewGuid():N}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
            throw new TimeoutException($"No next task 60 s after Ctrl+Enter on {page.Url}; the page is in {shot}.");
        }

        return await shown;
    }

    private sealed record Site(Guid ProjectId, string Reviewer, IReadOnlyList<string> Annotators);

    /// <summary>The mean pause of the first browser loop, 4-12 s: a person reads and labels a message in 10-60 s.</summary>
    private const int ReadingMs = 8000;

    private sealed record SiteFigures(Stats Reading, Stats Submit, Stats Stress, Dictionary<string, double> FirstLoads, Memory PerCircuit, Memory AfterClose);

    /// <summary>Bytes of live managed heap and of resident memory.</summary>
    private sealed record Memory(long Heap, long Rss)
    {
        public static Memory operator -(Memory a, Memory b) => new(a.Heap - b.Heap, a.Rss - b.Rss);

        public static Memory operator /(Memory a, int n) => new(a.Heap / n, a.Rss / n);

        public override string ToString() => $"heap {Heap / 1024.0:#,0} KB, RSS {Rss / 1024.0:#,0} KB";
    }

    private sealed record Stats(double P50, double P95, double Max, int Over400, int Count)
    {
        public static Stats Of(List<double> values) =>
            new(QueueBenchmark.Percentile(values, 50), QueueBenchmark.Percentile(values, 95), values.Max(), values.Count(v => v > 400), values.Count);
    }

    /// <summary>The published app as a process of its own, on a free loopback port, logging its SQL with timings as JSON lines.</summary>
    private sealed class PortalProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly List<string> lines = [];

        private PortalProcess(Process process, Uri baseAddress)
        {
            this.process = process;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public int Pid => process.Id;

        /// <summary>Processor time the app has used so far (all its threads).</summary>
        public TimeSpan Cpu
        {
            get
            {
                process.Refresh();
                return process.TotalProcessorTime;
            }
        }

        public static async Task<PortalProcess> StartAsync(string dll, string folder, bool seedDemo, int nice)
        {
            var port = FreePort();
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(folder, "portal.db")}",
                ["Portal:DataFiles:Path"] = Path.Combine(folder, "data-files"),
                ["Portal:Demo:Seed"] = seedDemo ? "true" : "false",
                ["Portal:Demo:AllowOutsideDevelopment"] = "true",
                ["Portal:Jobs:RunServer"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
                [$"Logging:LogLevel:{CommandCategory}"] = "Information",
                [$"Logging:LogLevel:{SubmitCategory}"] = "Debug",
                ["Logging:Console:FormatterName"] = "json",
            };
            // Started through nice(1): where the value is not allowed (not root), nice warns and starts it at 0.
            var start = new ProcessStartInfo("nice")
            {
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(nice.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add("dotnet");

            foreach (var argument in new[] { dll, "--environment", "Benchmark", "--urls", $"http://127.0.0.1:{port}" }.Concat(settings.Select(kv => $"--{kv.Key}={kv.Value}")))
            {
                start.ArgumentList.Add(argument);
            }

            var site = new PortalProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
            site.process.OutputDataReceived += (_, e) => site.Add(e.Data);
            site.process.ErrorDataReceived += (_, e) => site.Add(e.Data);
            site.process.BeginOutputReadLine();
            site.process.BeginErrorReadLine();
            using var client = new HttpClient();
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (site.process.HasExited)
                {
                    throw new InvalidOperationException($"Portal.Web exited with {site.process.ExitCode}:\n{string.Join('\n', site.lines.TakeLast(30))}");
                }

                try
                {
                    if ((await client.GetAsync(new Uri(site.BaseAddress, "/account/signin"))).StatusCode == HttpStatusCode.OK)
                    {
                        return site;
                    }
                }
                catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromMinutes(5))
                {
                }

                await Task.Delay(250);
            }
        }

        public int LogMark()
        {
            lock (lines)
            {
                return lines.Count;
            }
        }

        /// <summary>The server's time for each submit and for loading the next task, as the labeling page logged them since <paramref name="mark"/>.</summary>
        public List<(double Submit, double Next)> ServerSubmits(int mark)
        {
            List<(double, double)> times = [];
            lock (lines)
            {
                foreach (var line in lines.Skip(mark))
                {
                    if (line.StartsWith('{') && line.Contains(SubmitCategory, StringComparison.Ordinal))
                    {
                        using var json = JsonDocument.Parse(line);
                        if (json.RootElement.TryGetProperty("State", out var state) && state.TryGetProperty("SubmitMs", out var submit) && state.TryGetProperty("NextMs", out var next))
                        {
                            times.Add((Number(submit), Number(next)));
                        }
                    }
                }
            }

            return times;
        }

        private static double Number(JsonElement value) =>
            value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.Parse(value.GetString()!.Replace(",", ""), CultureInfo.InvariantCulture);

        /// <summary>The statements logged since <paramref name="mark"/>: how many, their total time and the slowest ones.</summary>
        public string Sql(int mark, int slowest, int frequent = 0)
        {
            List<(double Ms, string Text)> commands = [];
            lock (lines)
            {
                foreach (var line in lines.Skip(mark))
                {
                    if (!line.StartsWith('{') || !line.Contains(CommandCategory, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    using var json = JsonDocument.Parse(line);
                    if (json.RootElement.TryGetProperty("State", out var state) && state.TryGetProperty("elapsed", out var elapsed) && state.TryGetProperty("commandText", out var text))
                    {
                        var ms = elapsed.ValueKind == JsonValueKind.Number ? elapsed.GetDouble() : double.Parse(elapsed.GetString()!.Replace(",", ""), CultureInfo.InvariantCulture);
                        commands.Add((ms, text.GetString()!));
                    }
                }
            }

            var top = commands.OrderByDescending(c => c.Ms).Take(slowest)
                .Select(c => $"{c.Ms:F0} ms {Shorten(c.Text, 90)}");
            var summary = $"SQL: {commands.Count} statements, {commands.Sum(c => c.Ms):F0} ms; slowest: {string.Join(" | ", top)}";
            if (frequent > 0)
            {
                var groups = commands.GroupBy(c => Shorten(c.Text, 70)).OrderByDescending(g => g.Count()).Take(frequent)
                    .Select(g => $"{g.Count()}x {g.Sum(c => c.Ms):F0} ms {g.Key}");
                summary += $"\n      most run: {string.Join("\n                ", groups)}";
            }

            return summary;
        }

        private static string Shorten(string sql, int length)
        {
            var flat = string.Join(' ', sql.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
            return flat[..Math.Min(length, flat.Length)];
        }

        /// <summary>
        /// The managed heap and resident memory after a full, blocking GC, once the app has settled: dotnet-gcdump (a
        /// NuGet tool, installed by run.sh) makes the runtime collect and reports the live heap. The live heap is what the
        /// circuits hold; resident memory adds what the GC and SQLite's page caches keep for reuse.
        /// </summary>
        public async Task<Memory> SettledAsync()
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var dump = Path.Combine(Path.GetTempPath(), $"portal-web-{process.Id}-{Guid.NewGuid():N}.gcdump");
            try
            {
                await RunToolAsync("collect", $"-p {process.Id} -o \"{dump}\"");
                var report = await RunToolAsync("report", $"\"{dump}\"");
                var heap = report.Split('\n').Select(l => l.Trim()).First(l => l.EndsWith("GC Heap bytes", StringComparison.Ordinal));
                var rss = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                return new Memory(
                    long.Parse(heap.Split(' ')[0].Replace(",", ""), CultureInfo.InvariantCulture),
                    long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024);
            }
            finally
            {
                File.Delete(dump);
            }
        }

        private static async Task<string> RunToolAsync(string verb, string arguments)
        {
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
            using var run = Process.Start(new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-gcdump", $"{verb} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await run.StandardOutput.ReadToEndAsync();
            await run.WaitForExitAsync();
            return run.ExitCode == 0 ? output : throw new InvalidOperationException($"dotnet-gcdump {verb} failed: {output}{await run.StandardError.ReadToEndAsync()}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            SqliteConnection.ClearAllPools();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
