using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Auth;

namespace Portal.Web.Jobs;

public sealed class JobsOptions
{
    public const string Section = "Portal:Jobs";

    /// <summary>Run Hangfire workers in this process (every instance does in production; tests may turn it off).</summary>
    public bool RunServer { get; set; } = true;

    public int WorkerCount { get; set; } = 2;
}

public static class JobsHosting
{
    /// <summary>
    /// SQL Server job storage with SQL Server; in-memory storage with the embedded SQLite default (runs resume from
    /// Portal's own tables; why not Hangfire.Storage.SQLite: docs/decisions/0010).
    /// </summary>
    public static void AddPortalJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateOnStart();
        var database = DataServiceCollectionExtensions.Read(builder.Configuration);
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();

        // Hangfire's own registration answers JobStorage.Current, a process-wide static: with several apps in one
        // process (the tests) one app's client could enqueue into another app's storage. This app's storage, as its
        // configuration made it, is registered first, so Hangfire's TryAdd keeps it.
        JobStorage? storage = null;
        services.AddSingleton(provider =>
        {
            provider.GetRequiredService<IGlobalConfiguration>();
            return storage ?? throw new InvalidOperationException("Hangfire's configuration set no job storage.");
        });

        // The same for the job activator: Hangfire's registration answers JobActivator.Current, which the last app to
        // configure Hangfire set; once that app is disposed, this app's workers would build jobs from a dead container.
        services.AddSingleton<JobActivator>(provider => new Hangfire.AspNetCore.AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) =>
        {
            // Hangfire's log provider is process-wide; it must not fail once this app's logger factory is disposed.
            config.UseLogProvider(new ResilientLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(provider.GetRequiredService<ILoggerFactory>())));
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (database.Provider == DatabaseProvider.SqlServer)
            {
                storage = config.UseSqlServerStorage(database.ConnectionString).Entry;
            }
            else
            {
                storage = config.UseInMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Long }).Entry;
            }
        });

        if (jobs.RunServer)
        {
            services.AddHangfireServer(o => o.WorkerCount = Math.Max(1, jobs.WorkerCount));
            services.AddHostedService<RunWatcher>();
        }

        // Imports and exports started from a page run on Hangfire's workers (the CLI runs them in its own process).
        services.AddTransient<ImportExport.IDataJobQueue, ImportExport.HangfireDataJobQueue>();

        // Each job is registered by its feature (AddPortalFeatures); a test checks that every row of the schedule resolves.
    }

    /// <summary>
    /// The durable-run machinery every host shares (the web app on Hangfire's workers, the command line in its own process);
    /// the kinds (IRunKind) and retentions (IRunRetention) are registered by their features.
    /// </summary>
    public static IServiceCollection AddDurableRuns(this IServiceCollection services)
    {
        services.AddSingleton<RunRegistry>();
        services.AddSingleton<RunNotifier>();
        services.AddTransient<DurableRunner>();
        services.AddTransient<RunSweeper>();
        services.AddTransient<RunSweepJob>();
        return services;
    }

    public static void MapPortalJobs(this WebApplication app)
    {
        // Before the dashboard: anonymous people go to sign-in and signed-in non-admins to the portal's access-denied page
        // (recorded), instead of Hangfire's bare 401/403. The dashboard's own filter stays as the second lock.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/jobs"), b => b.Use(async (context, next) =>
        {
            var user = context.User;
            if (PortalClaims.HasPortalAccess(user) && user.HasClaim(PortalClaims.Roles, AppRoles.Admin))
            {
                await next(context);
            }
            else if (PortalClaims.ToPrincipal(user) is { } signedIn)
            {
                await context.RequestServices.GetRequiredService<DenialLog>().RecordAsync(signedIn, "/jobs", null, "needs the Admin role");
                await context.ForbidAsync();
            }
            else
            {
                await context.ChallengeAsync();
            }
        }));
        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new AdminOnlyDashboardFilter()],
            AppPath = "/",
            DashboardTitle = "Portal jobs",
            DisplayStorageConnectionString = false,
        }).AllowAnonymous();

        RecurringJobSchedule.Register(app.Services.GetRequiredService<IRecurringJobManager>());
    }

    /// <summary>
    /// Hangfire keeps one log provider per process (the last app that configured it). When that app has stopped (tests
    /// host several apps in one process, one after another), its logger factory is disposed; this answers with a
    /// silent logger instead of failing whatever asked Hangfire for a logger.
    /// </summary>
    private sealed class ResilientLogProvider(Hangfire.Logging.ILogProvider inner) : Hangfire.Logging.ILogProvider
    {
        public Hangfire.Logging.ILog GetLogger(string name)
        {
            try
            {
                return inner.GetLogger(name);
            }
            catch (ObjectDisposedException)
            {
                return Silent.Instance;
            }
        }

        private sealed class Silent : Hangfire.Logging.ILog
        {
            public static readonly Silent Instance = new();

            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
        }
    }

    private sealed class AdminOnlyDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return PortalClaims.HasPortalAccess(user) && user.HasClaim(PortalClaims.Roles, AppRoles.Admin);
        }
    }
}
