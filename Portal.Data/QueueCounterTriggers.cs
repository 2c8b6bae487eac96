namespace Portal.Data;

/// <summary>
/// The triggers that keep <see cref="Entities.ProjectQueueCounter"/> and <see cref="Entities.ProjectUserQueueCounter"/>
/// equal to a recount (<see cref="Queries.QueueCounterQueries"/>): in the database, not in the services, so every way an
/// annotation or a task changes (tracked saves, bulk updates, imports, cascades) keeps them in the same transaction, as
/// the task counters do (docs/decisions/0019-task-counters.md, 0023-queue-counters.md). Kept as constants so the
/// migrations and their tests read the same SQL.
/// </summary>
public static class QueueCounterTriggers
{
    /// <summary>The trigger names EF is told about (SQL Server: no OUTPUT clause on these tables).</summary>
    public const string OnAnnotations = "Annotations_QueueCounters";

    public const string OnTasks = "Tasks_QueueCounters";

    public const string OnDataJobs = "DataJobs_QueueCounters";

    // As stored (enums as their numbers): RunState.Succeeded, TaskState.Open and Adjudication, AnnotationStatus.Submitted.
    private const string Succeeded = "2";
    private const string Open = "0";
    private const string Adjudication = "3";
    private const string Submitted = "1";

    private const string Project = "ProjectQueueCounters";
    private const string Own = "ProjectUserQueueCounters";

    private static string SqliteRequested(string a) => $"""({a}."ReviewRequested" AND {a}."Status" = {Submitted})""";

    private static string SqliteAdjudication(string t) => $"""({t}."State" = {Adjudication})""";

    /// <summary>Open, available and published (<see cref="Queries.TaskQueries.Published"/>); the cheap tests first, so a staged import row skips the job look-up.</summary>
    private static string SqliteClaimable(string t) =>
        $"""({t}."State" = {Open} AND {t}."IsAvailable" AND {t}."DeletedAt" IS NULL AND ({t}."ImportJobId" IS NULL OR EXISTS (SELECT 1 FROM "DataJobs" AS j WHERE j."Id" = {t}."ImportJobId" AND j."State" = {Succeeded})))""";

    private static string SqliteAdd(string keys) => $"""
        ON CONFLICT ({keys}) DO UPDATE SET "ReviewRequested" = "ReviewRequested" + excluded."ReviewRequested",
            "Adjudication" = "Adjudication" + excluded."Adjudication", "Claimable" = "Claimable" + excluded."Claimable";
        """;

    private static readonly string SqliteAddProject = $"""INSERT INTO "{Project}" ("ProjectId", "ReviewRequested", "Adjudication", "Claimable")""";
    private static readonly string SqliteAddOwn = $"""INSERT INTO "{Own}" ("ProjectId", "UserId", "ReviewRequested", "Adjudication", "Claimable")""";
    private static readonly string SqliteOnProject = SqliteAdd("\"ProjectId\"");
    private static readonly string SqliteOnOwn = SqliteAdd("\"ProjectId\", \"UserId\"");

    /// <summary>A review request of annotation <paramref name="a"/> added (+1) or taken off (-1): the project's and its author's.</summary>
    private static string SqliteRequest(string a, int sign) => sign > 0
        ? $"""
          {SqliteAddProject} SELECT {a}."ProjectId", 1, 0, 0 WHERE {SqliteRequested(a)} {SqliteOnProject}
          {SqliteAddOwn} SELECT {a}."ProjectId", {a}."UserId", 1, 0, 0 WHERE {SqliteRequested(a)} {SqliteOnOwn}
          """
        : $"""
          UPDATE "{Project}" SET "ReviewRequested" = "ReviewRequested" - 1 WHERE "ProjectId" = {a}."ProjectId" AND {SqliteRequested(a)};
          UPDATE "{Own}" SET "ReviewRequested" = "ReviewRequested" - 1 WHERE "ProjectId" = {a}."ProjectId" AND "UserId" = {a}."UserId" AND {SqliteRequested(a)};
          """;

    /// <summary>Annotation <paramref name="a"/> is its author's first on its task: the task's share becomes theirs.</summary>
    private static string SqliteFirstOnTask(string a) => $"""
        {SqliteAddOwn} SELECT t."ProjectId", {a}."UserId", 0, {SqliteAdjudication("t")}, {SqliteClaimable("t")} FROM "Tasks" AS t
        WHERE t."Id" = {a}."TaskId" AND ({SqliteAdjudication("t")} OR {SqliteClaimable("t")})
            AND NOT EXISTS (SELECT 1 FROM "Annotations" AS o WHERE o."TaskId" = {a}."TaskId" AND o."UserId" = {a}."UserId" AND o."Id" <> {a}."Id")
        {SqliteOnOwn}
        """;

    /// <summary>
    /// Annotation <paramref name="a"/> was its author's last on its task (the row is gone or moved): the task's share is no
    /// longer theirs. A task deleted with its annotations is gone by now; its trigger took the shares off before.
    /// </summary>
    private static string SqliteLastOnTask(string a) => $"""
        UPDATE "{Own}" SET "Adjudication" = "Adjudication" - (SELECT {SqliteAdjudication("t")} FROM "Tasks" AS t WHERE t."Id" = {a}."TaskId"),
            "Claimable" = "Claimable" - (SELECT {SqliteClaimable("t")} FROM "Tasks" AS t WHERE t."Id" = {a}."TaskId")
        WHERE "ProjectId" = (SELECT t."ProjectId" FROM "Tasks" AS t WHERE t."Id" = {a}."TaskId") AND "UserId" = {a}."UserId"
            AND NOT EXISTS (SELECT 1 FROM "Annotations" AS o WHERE o."TaskId" = {a}."TaskId" AND o."UserId" = {a}."UserId");
        """;

    /// <summary>Task <paramref name="t"/>'s place in the adjudication and claimable sets taken off its project and off everyone who annotated it.</summary>
    private static string SqliteTaskOut(string t) => $"""
        UPDATE "{Project}" SET "Adjudication" = "Adjudication" - {SqliteAdjudication(t)}, "Claimable" = "Claimable" - {SqliteClaimable(t)}
        WHERE "ProjectId" = {t}."ProjectId" AND ({SqliteAdjudication(t)} OR {SqliteClaimable(t)});
        UPDATE "{Own}" SET "Adjudication" = "Adjudication" - {SqliteAdjudication(t)}, "Claimable" = "Claimable" - {SqliteClaimable(t)}
        WHERE "ProjectId" = {t}."ProjectId" AND ({SqliteAdjudication(t)} OR {SqliteClaimable(t)})
            AND "UserId" IN (SELECT a."UserId" FROM "Annotations" AS a WHERE a."TaskId" = {t}."Id");
        """;

    private static string SqliteTaskIn(string t) => $"""
        {SqliteAddProject} SELECT {t}."ProjectId", 0, {SqliteAdjudication(t)}, {SqliteClaimable(t)}
        WHERE {SqliteAdjudication(t)} OR {SqliteClaimable(t)} {SqliteOnProject}
        {SqliteAddOwn} SELECT DISTINCT {t}."ProjectId", a."UserId", 0, {SqliteAdjudication(t)}, {SqliteClaimable(t)} FROM "Annotations" AS a
        WHERE a."TaskId" = {t}."Id" AND ({SqliteAdjudication(t)} OR {SqliteClaimable(t)}) {SqliteOnOwn}
        """;

    /// <summary>The tasks of import job <paramref name="job"/> that are claimable once the job has succeeded.</summary>
    private static string SqliteClaimableOfJob(string job) =>
        $"""t."ImportJobId" = {job}."Id" AND t."State" = {Open} AND t."IsAvailable" AND t."DeletedAt" IS NULL""";

    /// <summary>
    /// SQLite: row triggers. A change that moves nothing in or out of the counted sets (a draft saved, a submit that leaves
    /// the task claimable, a priority change) writes no counter row. Subtractions are updates, never inserts, so a project
    /// being deleted (its counter rows going by cascade) is not written back. A task's delete is counted before it
    /// happens: the cascade removes its annotations before an AFTER trigger would run.
    /// </summary>
    public static readonly string SqliteCreate = $"""
        CREATE TRIGGER "{OnAnnotations}_Insert" AFTER INSERT ON "Annotations"
        BEGIN
            {SqliteRequest("new", +1)}
            {SqliteFirstOnTask("new")}
        END;
        CREATE TRIGGER "{OnAnnotations}_Request" AFTER UPDATE OF "ProjectId", "UserId", "ReviewRequested", "Status" ON "Annotations"
        WHEN {SqliteRequested("old")} <> {SqliteRequested("new")}
            OR ({SqliteRequested("old")} AND (old."ProjectId" IS NOT new."ProjectId" OR old."UserId" IS NOT new."UserId"))
        BEGIN
            {SqliteRequest("old", -1)}
            {SqliteRequest("new", +1)}
        END;
        CREATE TRIGGER "{OnAnnotations}_Move" AFTER UPDATE OF "TaskId", "UserId" ON "Annotations"
        WHEN old."TaskId" IS NOT new."TaskId" OR old."UserId" IS NOT new."UserId"
        BEGIN
            {SqliteLastOnTask("old")}
            {SqliteFirstOnTask("new")}
        END;
        CREATE TRIGGER "{OnAnnotations}_Delete" AFTER DELETE ON "Annotations"
        BEGIN
            {SqliteRequest("old", -1)}
            {SqliteLastOnTask("old")}
        END;
        CREATE TRIGGER "{OnTasks}_Insert" AFTER INSERT ON "Tasks"
        WHEN {SqliteAdjudication("new")} OR {SqliteClaimable("new")}
        BEGIN
            {SqliteTaskIn("new")}
        END;
        CREATE TRIGGER "{OnTasks}_Update" AFTER UPDATE OF "ProjectId", "State", "IsAvailable", "DeletedAt", "ImportJobId" ON "Tasks"
        WHEN old."ProjectId" IS NOT new."ProjectId" OR {SqliteAdjudication("old")} <> {SqliteAdjudication("new")} OR {SqliteClaimable("old")} <> {SqliteClaimable("new")}
        BEGIN
            {SqliteTaskOut("old")}
            {SqliteTaskIn("new")}
        END;
        CREATE TRIGGER "{OnTasks}_Delete" BEFORE DELETE ON "Tasks"
        WHEN {SqliteAdjudication("old")} OR {SqliteClaimable("old")}
        BEGIN
            {SqliteTaskOut("old")}
        END;
        CREATE TRIGGER "{OnDataJobs}_State" AFTER UPDATE OF "State" ON "DataJobs"
        WHEN (old."State" = {Succeeded}) <> (new."State" = {Succeeded})
        BEGIN
            {SqliteAddProject} SELECT t."ProjectId", 0, 0, (CASE WHEN new."State" = {Succeeded} THEN 1 ELSE -1 END) * COUNT(*)
            FROM "Tasks" AS t WHERE {SqliteClaimableOfJob("new")} GROUP BY t."ProjectId" {SqliteOnProject}
            {SqliteAddOwn} SELECT t."ProjectId", a."UserId", 0, 0, (CASE WHEN new."State" = {Succeeded} THEN 1 ELSE -1 END) * COUNT(DISTINCT t."Id")
            FROM "Tasks" AS t JOIN "Annotations" AS a ON a."TaskId" = t."Id" WHERE {SqliteClaimableOfJob("new")} GROUP BY t."ProjectId", a."UserId" {SqliteOnOwn}
        END;
        CREATE TRIGGER "{OnDataJobs}_Delete" AFTER DELETE ON "DataJobs"
        WHEN old."State" = {Succeeded}
        BEGIN
            UPDATE "{Project}" SET "Claimable" = "Claimable"
                - (SELECT COUNT(*) FROM "Tasks" AS t WHERE {SqliteClaimableOfJob("old")} AND t."ProjectId" = "{Project}"."ProjectId")
            WHERE "ProjectId" IN (SELECT t."ProjectId" FROM "Tasks" AS t WHERE {SqliteClaimableOfJob("old")});
            UPDATE "{Own}" SET "Claimable" = "Claimable" - (SELECT COUNT(DISTINCT t."Id") FROM "Tasks" AS t JOIN "Annotations" AS a ON a."TaskId" = t."Id"
                WHERE {SqliteClaimableOfJob("old")} AND t."ProjectId" = "{Own}"."ProjectId" AND a."UserId" = "{Own}"."UserId")
            WHERE ("ProjectId", "UserId") IN (SELECT t."ProjectId", a."UserId" FROM "Tasks" AS t JOIN "Annotations" AS a ON a."TaskId" = t."Id" WHERE {SqliteClaimableOfJob("old")});
        END;
        {Fill(SqliteRequested("a"), SqliteAdjudication("t"), SqliteClaimable("t"), condition => condition, "\"")}
        """;

    public static readonly string SqliteDrop = $"""
        DROP TRIGGER IF EXISTS "{OnDataJobs}_Delete";
        DROP TRIGGER IF EXISTS "{OnDataJobs}_State";
        DROP TRIGGER IF EXISTS "{OnTasks}_Delete";
        DROP TRIGGER IF EXISTS "{OnTasks}_Update";
        DROP TRIGGER IF EXISTS "{OnTasks}_Insert";
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Delete";
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Move";
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Request";
        DROP TRIGGER IF EXISTS "{OnAnnotations}_Insert";
        """;

    /// <summary>
    /// Both tables counted from what is there (the migration): the same SQL for both providers but the quotes, the
    /// predicates and how a condition becomes 0 or 1 (<paramref name="number"/>; SQLite's conditions are numbers already).
    /// </summary>
    private static string Fill(string requested, string adjudication, string claimable, Func<string, string> number, string q) => $"""
        INSERT INTO {q}{Project}{q} ({q}ProjectId{q}, {q}ReviewRequested{q}, {q}Adjudication{q}, {q}Claimable{q})
        SELECT x.{q}ProjectId{q}, SUM(x.r), SUM(x.d), SUM(x.c) FROM (
            SELECT a.{q}ProjectId{q}, 1 AS r, 0 AS d, 0 AS c FROM {q}Annotations{q} AS a WHERE {requested}
            UNION ALL
            SELECT t.{q}ProjectId{q}, 0, {number(adjudication)}, {number(claimable)} FROM {q}Tasks{q} AS t WHERE {adjudication} OR {claimable}
        ) AS x GROUP BY x.{q}ProjectId{q};
        INSERT INTO {q}{Own}{q} ({q}ProjectId{q}, {q}UserId{q}, {q}ReviewRequested{q}, {q}Adjudication{q}, {q}Claimable{q})
        SELECT x.{q}ProjectId{q}, x.{q}UserId{q}, SUM(x.r), SUM(x.d), SUM(x.c) FROM (
            SELECT a.{q}ProjectId{q}, a.{q}UserId{q}, 1 AS r, 0 AS d, 0 AS c FROM {q}Annotations{q} AS a WHERE {requested}
            UNION ALL
            SELECT t.{q}ProjectId{q}, u.{q}UserId{q}, 0, {number(adjudication)}, {number(claimable)} FROM {q}Tasks{q} AS t
            JOIN (SELECT DISTINCT a.{q}TaskId{q}, a.{q}UserId{q} FROM {q}Annotations{q} AS a) AS u ON u.{q}TaskId{q} = t.{q}Id{q}
            WHERE {adjudication} OR {claimable}
        ) AS x GROUP BY x.{q}ProjectId{q}, x.{q}UserId{q};
        """;

    private static string SqlServerNumber(string condition) => $"CASE WHEN {condition} THEN 1 ELSE 0 END";

    private static string SqlServerRequested(string a) => $"{a}.[ReviewRequested] = 1 AND {a}.[Status] = {Submitted}";

    private static string SqlServerIsAdjudication(string t) => $"{t}.[State] = {Adjudication}";

    private static string SqlServerIsClaimable(string t) =>
        $"{t}.[State] = {Open} AND {t}.[IsAvailable] = 1 AND {t}.[DeletedAt] IS NULL AND ({t}.[ImportJobId] IS NULL OR EXISTS (SELECT 1 FROM [DataJobs] AS j WHERE j.[Id] = {t}.[ImportJobId] AND j.[State] = {Succeeded}))";

    private static string SqlServerAdjudication(string t) => SqlServerNumber(SqlServerIsAdjudication(t));

    private static string SqlServerClaimable(string t) => SqlServerNumber(SqlServerIsClaimable(t));

    /// <summary>
    /// Adds the CTE [delta] (the keys, ReviewRequested, Adjudication, Claimable) to a counter table. Projects being deleted
    /// (a cascade) are left out: their counter rows go with them.
    /// </summary>
    private static string SqlServerMerge(string table, params string[] keys) => $"""
        MERGE [{table}] WITH (HOLDLOCK) AS c
        USING (SELECT {string.Join(", ", keys.Select(k => $"d.[{k}]"))}, d.[ReviewRequested], d.[Adjudication], d.[Claimable] FROM [delta] AS d
               WHERE (d.[ReviewRequested] <> 0 OR d.[Adjudication] <> 0 OR d.[Claimable] <> 0)
                   AND EXISTS (SELECT 1 FROM [Projects] AS p WHERE p.[Id] = d.[ProjectId])) AS s
        ON {string.Join(" AND ", keys.Select(k => $"c.[{k}] = s.[{k}]"))}
        WHEN MATCHED THEN UPDATE SET [ReviewRequested] = c.[ReviewRequested] + s.[ReviewRequested],
            [Adjudication] = c.[Adjudication] + s.[Adjudication], [Claimable] = c.[Claimable] + s.[Claimable]
        WHEN NOT MATCHED THEN INSERT ({string.Join(", ", keys.Select(k => $"[{k}]"))}, [ReviewRequested], [Adjudication], [Claimable])
            VALUES ({string.Join(", ", keys.Select(k => $"s.[{k}]"))}, s.[ReviewRequested], s.[Adjudication], s.[Claimable]);
        """;

    private static readonly string SqlServerMergeProject = SqlServerMerge(Project, "ProjectId");
    private static readonly string SqlServerMergeOwn = SqlServerMerge(Own, "ProjectId", "UserId");

    /// <summary>Who has any annotation on which task (joined to the tasks that changed).</summary>
    private const string SqlServerAnnotators = "(SELECT DISTINCT x.[TaskId], x.[UserId] FROM [Annotations] AS x)";

    private static string SqlServerTaskChanged(string o, string i) =>
        $"{o}.[ProjectId] <> {i}.[ProjectId] OR ({SqlServerAdjudication(o)}) <> ({SqlServerAdjudication(i)}) OR ({SqlServerClaimable(o)}) <> ({SqlServerClaimable(i)})";

    /// <summary>The tasks of the import jobs whose state flipped in or out of Succeeded, claimable once published, with the flip's sign.</summary>
    private const string SqlServerJobTasks = $"""
        [flip] AS (
            SELECT o.[Id], (CASE WHEN i.[State] = {Succeeded} THEN 1 ELSE 0 END) - (CASE WHEN o.[State] = {Succeeded} THEN 1 ELSE 0 END) AS [Sign]
            FROM deleted AS o LEFT JOIN inserted AS i ON i.[Id] = o.[Id]
        ), [job] AS (
            SELECT t.[Id], t.[ProjectId], f.[Sign] FROM [flip] AS f JOIN [Tasks] AS t ON t.[ImportJobId] = f.[Id]
            WHERE f.[Sign] <> 0 AND t.[State] = {Open} AND t.[IsAvailable] = 1 AND t.[DeletedAt] IS NULL
        )
        """;

    /// <summary>
    /// SQL Server: one statement trigger per table over inserted/deleted, one batch each; a task row enters the trigger's
    /// work only when it is or was counted, so an import's staged rows cost one test each. AFTER triggers run after the
    /// cascades, so a task deleted outright (only staged imports that were never claimable are) takes its annotators'
    /// adjudication share with it unseen; the nightly check would repair that.
    /// </summary>
    public static readonly IReadOnlyList<string> SqlServerCreate =
    [
        $"""
        CREATE TRIGGER [{OnAnnotations}] ON [Annotations] AFTER INSERT, UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            WITH [change] AS (
                SELECT i.[ProjectId], 1 AS [ReviewRequested] FROM inserted AS i WHERE {SqlServerRequested("i")}
                UNION ALL
                SELECT o.[ProjectId], -1 FROM deleted AS o WHERE {SqlServerRequested("o")}
            ), [delta] AS (
                SELECT [ProjectId], SUM([ReviewRequested]) AS [ReviewRequested], 0 AS [Adjudication], 0 AS [Claimable] FROM [change] GROUP BY [ProjectId]
            )
            {SqlServerMergeProject}
            -- Whether someone's first or last annotation on a task can have changed: not on an update that leaves the task and
            -- the person alone (a status change, a taxonomy migration of many rows).
            DECLARE @moved bit = 0;
            IF UPDATE([TaskId]) OR UPDATE([UserId]) OR NOT EXISTS (SELECT 1 FROM inserted) OR NOT EXISTS (SELECT 1 FROM deleted)
                SET @moved = 1;
            WITH [pair] AS (
                SELECT [TaskId], [UserId] FROM inserted WHERE @moved = 1 UNION SELECT [TaskId], [UserId] FROM deleted WHERE @moved = 1
            ), [presence] AS (
                SELECT p.[TaskId], p.[UserId],
                    (CASE WHEN EXISTS (SELECT 1 FROM [Annotations] AS a WHERE a.[TaskId] = p.[TaskId] AND a.[UserId] = p.[UserId]) THEN 1 ELSE 0 END)
                    - (CASE WHEN EXISTS (SELECT 1 FROM deleted AS d WHERE d.[TaskId] = p.[TaskId] AND d.[UserId] = p.[UserId])
                              OR EXISTS (SELECT 1 FROM [Annotations] AS a WHERE a.[TaskId] = p.[TaskId] AND a.[UserId] = p.[UserId]
                                         AND NOT EXISTS (SELECT 1 FROM inserted AS n WHERE n.[Id] = a.[Id])) THEN 1 ELSE 0 END) AS [Sign]
                FROM [pair] AS p
            ), [change] AS (
                SELECT i.[ProjectId], i.[UserId], 1 AS [ReviewRequested], 0 AS [Adjudication], 0 AS [Claimable] FROM inserted AS i WHERE {SqlServerRequested("i")}
                UNION ALL
                SELECT o.[ProjectId], o.[UserId], -1, 0, 0 FROM deleted AS o WHERE {SqlServerRequested("o")}
                UNION ALL
                SELECT t.[ProjectId], s.[UserId], 0, s.[Sign] * ({SqlServerAdjudication("t")}), s.[Sign] * ({SqlServerClaimable("t")})
                FROM [presence] AS s JOIN [Tasks] AS t ON t.[Id] = s.[TaskId] WHERE s.[Sign] <> 0
            ), [delta] AS (
                SELECT [ProjectId], [UserId], SUM([ReviewRequested]) AS [ReviewRequested], SUM([Adjudication]) AS [Adjudication], SUM([Claimable]) AS [Claimable]
                FROM [change] GROUP BY [ProjectId], [UserId]
            )
            {SqlServerMergeOwn}
        END
        """,
        $"""
        CREATE TRIGGER [{OnTasks}] ON [Tasks] AFTER INSERT, UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            DECLARE @change TABLE ([TaskId] bigint NOT NULL, [ProjectId] uniqueidentifier NOT NULL, [Adjudication] int NOT NULL, [Claimable] int NOT NULL);
            INSERT INTO @change ([TaskId], [ProjectId], [Adjudication], [Claimable])
            SELECT i.[Id], i.[ProjectId], {SqlServerAdjudication("i")}, {SqlServerClaimable("i")}
            FROM inserted AS i LEFT JOIN deleted AS o ON o.[Id] = i.[Id]
            WHERE ({SqlServerIsAdjudication("i")} OR {SqlServerIsClaimable("i")}) AND (o.[Id] IS NULL OR {SqlServerTaskChanged("o", "i")})
            UNION ALL
            SELECT o.[Id], o.[ProjectId], -({SqlServerAdjudication("o")}), -({SqlServerClaimable("o")})
            FROM deleted AS o LEFT JOIN inserted AS i ON i.[Id] = o.[Id]
            WHERE ({SqlServerIsAdjudication("o")} OR {SqlServerIsClaimable("o")}) AND (i.[Id] IS NULL OR {SqlServerTaskChanged("o", "i")});
            WITH [delta] AS (
                SELECT [ProjectId], 0 AS [ReviewRequested], SUM([Adjudication]) AS [Adjudication], SUM([Claimable]) AS [Claimable] FROM @change GROUP BY [ProjectId]
            )
            {SqlServerMergeProject}
            WITH [delta] AS (
                SELECT c.[ProjectId], a.[UserId], 0 AS [ReviewRequested], SUM(c.[Adjudication]) AS [Adjudication], SUM(c.[Claimable]) AS [Claimable]
                FROM @change AS c JOIN {SqlServerAnnotators} AS a ON a.[TaskId] = c.[TaskId] GROUP BY c.[ProjectId], a.[UserId]
            )
            {SqlServerMergeOwn}
        END
        """,
        $"""
        CREATE TRIGGER [{OnDataJobs}] ON [DataJobs] AFTER UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            WITH {SqlServerJobTasks}, [delta] AS (
                SELECT [ProjectId], 0 AS [ReviewRequested], 0 AS [Adjudication], SUM([Sign]) AS [Claimable] FROM [job] GROUP BY [ProjectId]
            )
            {SqlServerMergeProject}
            WITH {SqlServerJobTasks}, [delta] AS (
                SELECT j.[ProjectId], a.[UserId], 0 AS [ReviewRequested], 0 AS [Adjudication], SUM(j.[Sign]) AS [Claimable]
                FROM [job] AS j JOIN {SqlServerAnnotators} AS a ON a.[TaskId] = j.[Id] GROUP BY j.[ProjectId], a.[UserId]
            )
            {SqlServerMergeOwn}
        END
        """,
        Fill(SqlServerRequested("a"), $"({SqlServerIsAdjudication("t")})", $"({SqlServerIsClaimable("t")})", SqlServerNumber, ""),
    ];

    public static readonly IReadOnlyList<string> SqlServerDrop =
    [
        $"DROP TRIGGER IF EXISTS [{OnDataJobs}];",
        $"DROP TRIGGER IF EXISTS [{OnTasks}];",
        $"DROP TRIGGER IF EXISTS [{OnAnnotations}];",
    ];
}
