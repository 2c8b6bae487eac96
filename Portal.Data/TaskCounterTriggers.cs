namespace Portal.Data;

/// <summary>
/// The triggers that keep <see cref="Entities.ProjectTaskCounter"/> equal to a count of each project's published tasks
/// (<see cref="Queries.TaskQueries.Published"/>) and of those complete (<see cref="Queries.TaskQueries.IsComplete"/>). In
/// the database, not in the services, so that every way a task changes (tracked saves, bulk updates, the import's raw
/// inserts, cascades) keeps them, in the same transaction (docs/decisions/0019-task-counters.md). Kept as constants so
/// the migrations and their tests read the same SQL.
/// </summary>
public static class TaskCounterTriggers
{
    /// <summary>The trigger names EF is told about (SQL Server: no OUTPUT clause on these tables).</summary>
    public const string OnTasks = "Tasks_Counters";

    public const string OnDataJobs = "DataJobs_Counters";

    // RunState.Succeeded and TaskState.Open, as stored (enums are stored as their numbers).
    private const string Succeeded = "2";
    private const string Open = "0";

    /// <summary>1 when task <paramref name="t"/> is complete (<see cref="Queries.TaskQueries.IsComplete"/>); the overview counters use it too.</summary>
    internal static string SqliteComplete(string t) =>
        $"""({t}."IsGold" OR {t}."State" <> {Open} OR {t}."SubmittedCount" >= {t}."TargetAnnotations")""";

    /// <summary>Task <paramref name="t"/> is published (<see cref="Queries.TaskQueries.Published"/>).</summary>
    internal static string SqlitePublished(string t) =>
        $"""{t}."DeletedAt" IS NULL AND ({t}."ImportJobId" IS NULL OR EXISTS (SELECT 1 FROM "DataJobs" AS j WHERE j."Id" = {t}."ImportJobId" AND j."State" = {Succeeded}))""";

    private const string SqliteAddOne = """
        ON CONFLICT ("ProjectId") DO UPDATE SET "Total" = "Total" + excluded."Total", "Completed" = "Completed" + excluded."Completed"
        """;

    /// <summary>
    /// SQLite: per-row triggers. A change that moves a task neither in nor out of the published or complete sets (most
    /// submits below the overlap target) does not touch the counter row, so submits do not queue behind one row more
    /// than they must. An import's staged rows are not counted until its job succeeds; the job's trigger then counts
    /// them in one statement.
    /// </summary>
    public static readonly string SqliteCreate = $"""
        CREATE TRIGGER "{OnTasks}_Insert" AFTER INSERT ON "Tasks"
        WHEN {SqlitePublished("new")}
        BEGIN
            INSERT INTO "ProjectTaskCounters" ("ProjectId", "Total", "Completed") VALUES (new."ProjectId", 1, {SqliteComplete("new")})
            {SqliteAddOne};
        END;
        CREATE TRIGGER "{OnTasks}_Update" AFTER UPDATE OF "ProjectId", "IsGold", "State", "SubmittedCount", "TargetAnnotations", "DeletedAt", "ImportJobId" ON "Tasks"
        WHEN old."ProjectId" IS NOT new."ProjectId" OR old."DeletedAt" IS NOT new."DeletedAt" OR old."ImportJobId" IS NOT new."ImportJobId"
            OR {SqliteComplete("old")} <> {SqliteComplete("new")}
        BEGIN
            UPDATE "ProjectTaskCounters" SET "Total" = "Total" - 1, "Completed" = "Completed" - {SqliteComplete("old")}
            WHERE "ProjectId" = old."ProjectId" AND {SqlitePublished("old")};
            INSERT INTO "ProjectTaskCounters" ("ProjectId", "Total", "Completed") SELECT new."ProjectId", 1, {SqliteComplete("new")}
            WHERE {SqlitePublished("new")}
            {SqliteAddOne};
        END;
        CREATE TRIGGER "{OnTasks}_Delete" AFTER DELETE ON "Tasks"
        WHEN {SqlitePublished("old")}
        BEGIN
            UPDATE "ProjectTaskCounters" SET "Total" = "Total" - 1, "Completed" = "Completed" - {SqliteComplete("old")}
            WHERE "ProjectId" = old."ProjectId";
        END;
        CREATE TRIGGER "{OnDataJobs}_State" AFTER UPDATE OF "State" ON "DataJobs"
        WHEN (old."State" = {Succeeded}) <> (new."State" = {Succeeded})
        BEGIN
            INSERT INTO "ProjectTaskCounters" ("ProjectId", "Total", "Completed")
            SELECT t."ProjectId", (CASE WHEN new."State" = {Succeeded} THEN 1 ELSE -1 END) * COUNT(*),
                   (CASE WHEN new."State" = {Succeeded} THEN 1 ELSE -1 END) * SUM({SqliteComplete("t")})
            FROM "Tasks" AS t WHERE t."ImportJobId" = new."Id" AND t."DeletedAt" IS NULL GROUP BY t."ProjectId"
            {SqliteAddOne};
        END;
        CREATE TRIGGER "{OnDataJobs}_Delete" AFTER DELETE ON "DataJobs"
        WHEN old."State" = {Succeeded}
        BEGIN
            INSERT INTO "ProjectTaskCounters" ("ProjectId", "Total", "Completed")
            SELECT t."ProjectId", -COUNT(*), -SUM({SqliteComplete("t")})
            FROM "Tasks" AS t WHERE t."ImportJobId" = old."Id" AND t."DeletedAt" IS NULL GROUP BY t."ProjectId"
            {SqliteAddOne};
        END;
        INSERT INTO "ProjectTaskCounters" ("ProjectId", "Total", "Completed")
        SELECT t."ProjectId", COUNT(*), SUM({SqliteComplete("t")}) FROM "Tasks" AS t WHERE {SqlitePublished("t")} GROUP BY t."ProjectId";
        """;

    public static readonly string SqliteDrop = $"""
        DROP TRIGGER IF EXISTS "{OnDataJobs}_Delete";
        DROP TRIGGER IF EXISTS "{OnDataJobs}_State";
        DROP TRIGGER IF EXISTS "{OnTasks}_Delete";
        DROP TRIGGER IF EXISTS "{OnTasks}_Update";
        DROP TRIGGER IF EXISTS "{OnTasks}_Insert";
        """;

    internal static string SqlServerComplete(string t) =>
        $"CASE WHEN {t}.[IsGold] = 1 OR {t}.[State] <> {Open} OR {t}.[SubmittedCount] >= {t}.[TargetAnnotations] THEN 1 ELSE 0 END";

    internal static string SqlServerPublished(string t) =>
        $"{t}.[DeletedAt] IS NULL AND ({t}.[ImportJobId] IS NULL OR EXISTS (SELECT 1 FROM [DataJobs] AS j WHERE j.[Id] = {t}.[ImportJobId] AND j.[State] = {Succeeded}))";

    /// <summary>
    /// Adds the CTE [delta] (ProjectId, Total, Completed) to the counters. Projects being deleted (a cascade) are left
    /// out: their counter row goes with them.
    /// </summary>
    private const string SqlServerMerge = """
        MERGE [ProjectTaskCounters] WITH (HOLDLOCK) AS c
        USING (SELECT d.[ProjectId], d.[Total], d.[Completed] FROM [delta] AS d
               WHERE (d.[Total] <> 0 OR d.[Completed] <> 0) AND EXISTS (SELECT 1 FROM [Projects] AS p WHERE p.[Id] = d.[ProjectId])) AS s
        ON c.[ProjectId] = s.[ProjectId]
        WHEN MATCHED THEN UPDATE SET [Total] = c.[Total] + s.[Total], [Completed] = c.[Completed] + s.[Completed]
        WHEN NOT MATCHED THEN INSERT ([ProjectId], [Total], [Completed]) VALUES (s.[ProjectId], s.[Total], s.[Completed]);
        """;

    /// <summary>SQL Server: statement triggers over inserted/deleted, one batch each (a CREATE TRIGGER must be alone in its batch).</summary>
    public static readonly IReadOnlyList<string> SqlServerCreate =
    [
        $"""
        CREATE TRIGGER [{OnTasks}] ON [Tasks] AFTER INSERT, UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            WITH [change] AS (
                SELECT i.[ProjectId], 1 AS [Total], {SqlServerComplete("i")} AS [Completed] FROM inserted AS i WHERE {SqlServerPublished("i")}
                UNION ALL
                SELECT o.[ProjectId], -1, -({SqlServerComplete("o")}) FROM deleted AS o WHERE {SqlServerPublished("o")}
            ), [delta] AS (
                SELECT [ProjectId], SUM([Total]) AS [Total], SUM([Completed]) AS [Completed] FROM [change] GROUP BY [ProjectId]
            )
            {SqlServerMerge}
        END
        """,
        $"""
        CREATE TRIGGER [{OnDataJobs}] ON [DataJobs] AFTER UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            WITH [flip] AS (
                SELECT o.[Id], (CASE WHEN i.[State] = {Succeeded} THEN 1 ELSE 0 END) - (CASE WHEN o.[State] = {Succeeded} THEN 1 ELSE 0 END) AS [Sign]
                FROM deleted AS o LEFT JOIN inserted AS i ON i.[Id] = o.[Id]
            ), [delta] AS (
                SELECT t.[ProjectId], SUM(f.[Sign]) AS [Total], SUM(f.[Sign] * ({SqlServerComplete("t")})) AS [Completed]
                FROM [flip] AS f JOIN [Tasks] AS t ON t.[ImportJobId] = f.[Id]
                WHERE f.[Sign] <> 0 AND t.[DeletedAt] IS NULL
                GROUP BY t.[ProjectId]
            )
            {SqlServerMerge}
        END
        """,
        $"""
        INSERT INTO [ProjectTaskCounters] ([ProjectId], [Total], [Completed])
        SELECT t.[ProjectId], COUNT(*), SUM({SqlServerComplete("t")}) FROM [Tasks] AS t WHERE {SqlServerPublished("t")} GROUP BY t.[ProjectId];
        """,
    ];

    public static readonly IReadOnlyList<string> SqlServerDrop =
    [
        $"DROP TRIGGER IF EXISTS [{OnDataJobs}];",
        $"DROP TRIGGER IF EXISTS [{OnTasks}];",
    ];
}
