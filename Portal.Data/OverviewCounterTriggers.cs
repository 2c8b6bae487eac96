namespace Portal.Data;

/// <summary>
/// The triggers that keep the Overview's counters equal to a recount (<see cref="Queries.OverviewCounterQueries"/>):
/// <see cref="Entities.ProjectOverlapCounter"/> (published tasks by submitted answers, and the complete ones among them) and
/// <see cref="Entities.ProjectDayCounter"/> (annotations submitted per day, skips left out). In the database, as the task
/// and queue counters are (docs/decisions/0019-task-counters.md, 0025-overview-counters.md), so every way a task or an
/// annotation changes keeps them in the same transaction. Kept as constants so the migrations and their tests read the same SQL.
/// </summary>
public static class OverviewCounterTriggers
{
    /// <summary>The trigger names EF is told about (SQL Server: no OUTPUT clause on these tables).</summary>
    public const string OnTasks = "Tasks_OverlapCounters";

    public const string OnDataJobs = "DataJobs_OverlapCounters";

    public const string OnAnnotations = "Annotations_DayCounters";

    // As stored (enums as their numbers): RunState.Succeeded, AnnotationStatus.Skipped.
    private const string Succeeded = "2";
    private const string Skipped = "2";

    private const string Overlap = "ProjectOverlapCounters";
    private const string Days = "ProjectDayCounters";

    // Complete and published as the task counters have them.
    private static string SqliteComplete(string t) => TaskCounterTriggers.SqliteComplete(t);

    private static string SqlitePublished(string t) => TaskCounterTriggers.SqlitePublished(t);

    private static string SqliteCounted(string a) => $"""({a}."SubmittedAt" IS NOT NULL AND {a}."Status" <> {Skipped})""";

    private const string SqliteAddToBucket = """
        ON CONFLICT ("ProjectId", "Submitted") DO UPDATE SET "Tasks" = "Tasks" + excluded."Tasks", "Completed" = "Completed" + excluded."Completed";
        """;

    private const string SqliteAddToDay = """
        ON CONFLICT ("ProjectId", "Day") DO UPDATE SET "Submitted" = "Submitted" + excluded."Submitted";
        """;

    /// <summary>
    /// The tasks of import job <paramref name="job"/> added to their buckets with <paramref name="sign"/> (SQL giving 1 or -1);
    /// not for a project being deleted (the cascade has removed the project's row and takes its counters).
    /// </summary>
    private static string SqliteJobBuckets(string job, string sign) => $"""
        INSERT INTO "{Overlap}" ("ProjectId", "Submitted", "Tasks", "Completed")
        SELECT t."ProjectId", t."SubmittedCount", {sign} * COUNT(*), {sign} * SUM({SqliteComplete("t")})
        FROM "Tasks" AS t WHERE t."ImportJobId" = {job}."Id" AND t."DeletedAt" IS NULL
            AND EXISTS (SELECT 1 FROM "Projects" AS p WHERE p."Id" = t."ProjectId")
        GROUP BY t."ProjectId", t."SubmittedCount"
        {SqliteAddToBucket}
        """;

    /// <summary>
    /// SQLite: row triggers. A task's update writes only when it moves between buckets or in or out of the published or
    /// complete sets: a submit is two small writes (its old bucket and its new one). An annotation's update writes only when
    /// it moves in or out of the counted set or to another day, so draft autosaves write nothing. Subtractions are updates,
    /// never inserts, so a project being deleted (its counter rows going by cascade) is not written back.
    /// </summary>
    public static readonly string SqliteCreate = $"""
        CREATE TRIGGER "{OnTasks}_Insert" AFTER INSERT ON "Tasks"
        WHEN {SqlitePublished("new")}
        BEGIN
            INSERT INTO "{Overlap}" ("ProjectId", "Submitted", "Tasks", "Completed") VALUES (new."ProjectId", new."SubmittedCount", 1, {SqliteComplete("new")})
            {SqliteAddToBucket}
        END;
        CREATE TRIGGER "{OnTasks}_Update" AFTER UPDATE OF "ProjectId", "IsGold", "State", "SubmittedCount", "TargetAnnotations", "DeletedAt", "ImportJobId" ON "Tasks"
        WHEN old."ProjectId" IS NOT new."ProjectId" OR old."SubmittedCount" <> new."SubmittedCount" OR old."DeletedAt" IS NOT new."DeletedAt"
            OR old."ImportJobId" IS NOT new."ImportJobId" OR {SqliteComplete("old")} <> {SqliteComplete("new")}
        BEGIN
            UPDATE "{Overlap}" SET "Tasks" = "Tasks" - 1, "Completed" = "Completed" - {SqliteComplete("old")}
            WHERE "ProjectId" = old."ProjectId" AND "Submitted" = old."SubmittedCount" AND {SqlitePublished("old")};
            INSERT INTO "{Overlap}" ("ProjectId", "Submitted", "Tasks", "Completed") SELECT new."ProjectId", new."SubmittedCount", 1, {SqliteComplete("new")}
            WHERE {SqlitePublished("new")}
            {SqliteAddToBucket}
        END;
        CREATE TRIGGER "{OnTasks}_Delete" AFTER DELETE ON "Tasks"
        WHEN {SqlitePublished("old")}
        BEGIN
            UPDATE "{Overlap}" SET "Tasks" = "Tasks" - 1, "Completed" = "Completed" - {SqliteComplete("old")}
            WHERE "ProjectId" = old."ProjectId" AND "Submitted" = old."SubmittedCount";
        END;
        CREATE TRIGGER "{OnDataJobs}_State" AFTER UPDATE OF "State" ON "DataJobs"
        WHEN (old."State" = {Succeeded}) <> (new."State" = {Succeeded})
        BEGIN
            {SqliteJobBuckets("new", $"(CASE WHEN new.\"State\" = {Succeeded} THEN 1 ELSE -1 END)")}
        END;
        CREATE TRIGGER "{OnDataJobs}_Delete" AFTER DELETE ON "DataJobs"
        WHEN old."State" = {Succeeded}
        BEGIN
            {SqliteJobBuckets("old", "-1")}
        END;
        CREATE TRIGGER "{OnAnnotations}_Insert" AFTER INSERT ON "Annotations"
        WHEN {SqliteCounted("new")}
        BEGIN
            INSERT INTO "{Days}" ("ProjectId", "Day", "Submitted") VALUES (new."ProjectId", date(new."SubmittedAt"), 1)
            {SqliteAddToDay}
        END;
        CREATE TRIGGER "{OnAnnotations}_Update" AFTER UPDATE OF "ProjectId", "Status", "SubmittedAt" ON "Annotations"
        WHEN {SqliteCounted("old")} <> {SqliteCounted("new")}
            OR ({SqliteCounted("old")} AND (old."ProjectId" IS NOT new."ProjectId" OR date(old."SubmittedAt") IS NOT date(new."SubmittedAt")))
        BEGIN
            UPDATE "{Days}" SET "Submitted" = "Submitted" - 1
            WHERE "ProjectId" = old."ProjectId" AND "Day" = date(old."SubmittedAt") AND {SqliteCounted("old")};
            INSERT INTO "{Days}" ("ProjectId", "Day", "Submitted") SELECT new."ProjectId", date(new."SubmittedAt"), 1
            WHERE {SqliteCounted("new")}
            {SqliteAddToDay}
        END;
        CREATE TRIGGER "{OnAnnotations}_Delete" AFTER DELETE ON "Annotations"
        WHEN {SqliteCounted("old")}
        BEGIN
            UPDATE "{Days}" SET "Submitted" = "Submitted" - 1 WHERE "ProjectId" = old."ProjectId" AND "Day" = date(old."SubmittedAt");
        END;
        INSERT INTO "{Overlap}" ("ProjectId", "Submitted", "Tasks", "Completed")
        SELECT t."ProjectId", t."SubmittedCount", COUNT(*), SUM({SqliteComplete("t")}) FROM "Tasks" AS t WHERE {SqlitePublished("t")}
        GROUP BY t."ProjectId", t."SubmittedCount";
        INSERT INTO "{Days}" ("ProjectId", "Day", "Submitted")
        SELECT a."ProjectId", date(a."SubmittedAt"), COUNT(*) FROM "Annotations" AS a WHERE {SqliteCounted("a")}
        GROUP BY a."ProjectId", date(a."SubmittedAt");
        """;

    public static readonly string SqliteDrop = $"""
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Delete";
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Update";
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Insert";
        DROP TRIGGER IF EXISTS "{OnDataJobs}_Delete";
        DROP TRIGGER IF EXISTS "{OnDataJobs}_State";
        DROP TRIGGER IF EXISTS "{OnTasks}_Delete";
        DROP TRIGGER IF EXISTS "{OnTasks}_Update";
        DROP TRIGGER IF EXISTS "{OnTasks}_Insert";
        """;

    private static string SqlServerComplete(string t) => TaskCounterTriggers.SqlServerComplete(t);

    private static string SqlServerPublished(string t) => TaskCounterTriggers.SqlServerPublished(t);

    private static string SqlServerCounted(string a) => $"{a}.[SubmittedAt] IS NOT NULL AND {a}.[Status] <> {Skipped}";

    /// <summary>
    /// Adds the CTE [delta] to the overlap buckets. Projects being deleted (a cascade) are left out: their rows go with them.
    /// </summary>
    private const string SqlServerMergeBuckets = $"""
        MERGE [{Overlap}] WITH (HOLDLOCK) AS c
        USING (SELECT d.[ProjectId], d.[Submitted], d.[Tasks], d.[Completed] FROM [delta] AS d
               WHERE (d.[Tasks] <> 0 OR d.[Completed] <> 0) AND EXISTS (SELECT 1 FROM [Projects] AS p WHERE p.[Id] = d.[ProjectId])) AS s
        ON c.[ProjectId] = s.[ProjectId] AND c.[Submitted] = s.[Submitted]
        WHEN MATCHED THEN UPDATE SET [Tasks] = c.[Tasks] + s.[Tasks], [Completed] = c.[Completed] + s.[Completed]
        WHEN NOT MATCHED THEN INSERT ([ProjectId], [Submitted], [Tasks], [Completed]) VALUES (s.[ProjectId], s.[Submitted], s.[Tasks], s.[Completed]);
        """;

    /// <summary>SQL Server: statement triggers over inserted/deleted, one batch each (a CREATE TRIGGER must be alone in its batch).</summary>
    public static readonly IReadOnlyList<string> SqlServerCreate =
    [
        $"""
        CREATE TRIGGER [{OnTasks}] ON [Tasks] AFTER INSERT, UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            WITH [change] AS (
                SELECT i.[ProjectId], i.[SubmittedCount] AS [Submitted], 1 AS [Tasks], {SqlServerComplete("i")} AS [Completed] FROM inserted AS i WHERE {SqlServerPublished("i")}
                UNION ALL
                SELECT o.[ProjectId], o.[SubmittedCount], -1, -({SqlServerComplete("o")}) FROM deleted AS o WHERE {SqlServerPublished("o")}
            ), [delta] AS (
                SELECT [ProjectId], [Submitted], SUM([Tasks]) AS [Tasks], SUM([Completed]) AS [Completed] FROM [change] GROUP BY [ProjectId], [Submitted]
            )
            {SqlServerMergeBuckets}
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
                SELECT t.[ProjectId], t.[SubmittedCount] AS [Submitted], SUM(f.[Sign]) AS [Tasks], SUM(f.[Sign] * ({SqlServerComplete("t")})) AS [Completed]
                FROM [flip] AS f JOIN [Tasks] AS t ON t.[ImportJobId] = f.[Id]
                WHERE f.[Sign] <> 0 AND t.[DeletedAt] IS NULL
                GROUP BY t.[ProjectId], t.[SubmittedCount]
            )
            {SqlServerMergeBuckets}
        END
        """,
        $"""
        CREATE TRIGGER [{OnAnnotations}] ON [Annotations] AFTER INSERT, UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            WITH [change] AS (
                SELECT i.[ProjectId], CAST(i.[SubmittedAt] AS date) AS [Day], 1 AS [Submitted] FROM inserted AS i WHERE {SqlServerCounted("i")}
                UNION ALL
                SELECT o.[ProjectId], CAST(o.[SubmittedAt] AS date), -1 FROM deleted AS o WHERE {SqlServerCounted("o")}
            ), [delta] AS (
                SELECT [ProjectId], [Day], SUM([Submitted]) AS [Submitted] FROM [change] GROUP BY [ProjectId], [Day]
            )
            MERGE [{Days}] WITH (HOLDLOCK) AS c
            USING (SELECT d.[ProjectId], d.[Day], d.[Submitted] FROM [delta] AS d
                   WHERE d.[Submitted] <> 0 AND EXISTS (SELECT 1 FROM [Projects] AS p WHERE p.[Id] = d.[ProjectId])) AS s
            ON c.[ProjectId] = s.[ProjectId] AND c.[Day] = s.[Day]
            WHEN MATCHED THEN UPDATE SET [Submitted] = c.[Submitted] + s.[Submitted]
            WHEN NOT MATCHED THEN INSERT ([ProjectId], [Day], [Submitted]) VALUES (s.[ProjectId], s.[Day], s.[Submitted]);
        END
        """,
        $"""
        INSERT INTO [{Overlap}] ([ProjectId], [Submitted], [Tasks], [Completed])
        SELECT t.[ProjectId], t.[SubmittedCount], COUNT(*), SUM({SqlServerComplete("t")}) FROM [Tasks] AS t WHERE {SqlServerPublished("t")}
        GROUP BY t.[ProjectId], t.[SubmittedCount];
        INSERT INTO [{Days}] ([ProjectId], [Day], [Submitted])
        SELECT a.[ProjectId], CAST(a.[SubmittedAt] AS date), COUNT(*) FROM [Annotations] AS a WHERE {SqlServerCounted("a")}
        GROUP BY a.[ProjectId], CAST(a.[SubmittedAt] AS date);
        """,
    ];

    public static readonly IReadOnlyList<string> SqlServerDrop =
    [
        $"DROP TRIGGER IF EXISTS [{OnAnnotations}];",
        $"DROP TRIGGER IF EXISTS [{OnDataJobs}];",
        $"DROP TRIGGER IF EXISTS [{OnTasks}];",
    ];
}
