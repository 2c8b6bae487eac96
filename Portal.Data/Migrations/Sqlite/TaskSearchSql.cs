namespace Portal.Data.Migrations.Sqlite;

/// <summary>
/// The SQLite FTS5 index behind the task browser's text search: an external-content table (no second copy of the
/// text) over Tasks.Text and Tasks.ExternalId, with triggers that keep it in step. Kept as constants so the migration and
/// its tests read the same SQL.
/// </summary>
internal static class TaskSearchSql
{
    public const string Create = """
        CREATE VIRTUAL TABLE "TasksFts" USING fts5("Text", "ExternalId", content='Tasks', content_rowid='Id');
        CREATE TRIGGER "Tasks_Fts_Insert" AFTER INSERT ON "Tasks" BEGIN
            INSERT INTO "TasksFts"(rowid, "Text", "ExternalId") VALUES (new."Id", new."Text", new."ExternalId");
        END;
        CREATE TRIGGER "Tasks_Fts_Delete" AFTER DELETE ON "Tasks" BEGIN
            INSERT INTO "TasksFts"("TasksFts", rowid, "Text", "ExternalId") VALUES ('delete', old."Id", old."Text", old."ExternalId");
        END;
        CREATE TRIGGER "Tasks_Fts_Update" AFTER UPDATE OF "Text", "ExternalId" ON "Tasks" BEGIN
            INSERT INTO "TasksFts"("TasksFts", rowid, "Text", "ExternalId") VALUES ('delete', old."Id", old."Text", old."ExternalId");
            INSERT INTO "TasksFts"(rowid, "Text", "ExternalId") VALUES (new."Id", new."Text", new."ExternalId");
        END;
        INSERT INTO "TasksFts"("TasksFts") VALUES ('rebuild');
        """;

    public const string Drop = """
        DROP TRIGGER IF EXISTS "Tasks_Fts_Update";
        DROP TRIGGER IF EXISTS "Tasks_Fts_Delete";
        DROP TRIGGER IF EXISTS "Tasks_Fts_Insert";
        DROP TABLE IF EXISTS "TasksFts";
        """;
}
