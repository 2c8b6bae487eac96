using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Queries;
using Portal.Web.Common;

namespace Portal.Web.Tasks;

/// <summary>A <see cref="TaskFilter"/> as a query over the project's tasks; bad input is a <see cref="ValidationException"/> naming the field.</summary>
internal static partial class TaskFilters
{
    public static async Task<IQueryable<LabelingTask>> ApplyAsync(PortalDbContext db, Guid projectId, TaskFilter filter, CancellationToken ct)
    {
        Validate(filter);
        var tasks = Source(db, filter).AsNoTracking().Where(t => t.ProjectId == projectId);
        tasks = filter.Deleted ? tasks.Where(t => t.DeletedAt != null) : tasks.Published(db);
        if (filter.State is { } state)
        {
            tasks = tasks.Where(t => t.State == state);
        }

        if (filter.AnnotatorId is { } userId)
        {
            // A probe per task by the unique (task, user, round) index: a page and the capped count stop early, where
            // reading the person's task ids first cost 0.25-0.45 s at 1M tasks (benchmark project-home).
            tasks = tasks.Where(t => db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId));
        }

        if (filter.LabelKey is { } label)
        {
            // Work not yet moved to the current label set still carries the label's former keys.
            var keys = await db.LabelMigrations.AsNoTracking().Where(m => m.ToLabelKey == label).Select(m => m.FromLabelKey).Distinct().ToListAsync(ct);
            keys.Add(label);
            tasks = tasks.Where(t => db.Annotations.Any(a => a.TaskId == t.Id
                && (db.AnnotationSpans.Any(s => s.AnnotationId == a.Id && keys.Contains(s.LabelKey)) || db.AnnotationAnswers.Any(x => x.AnnotationId == a.Id && keys.Contains(x.LabelKey)))));
        }

        if (filter.AgreementMin is { } min)
        {
            tasks = tasks.Where(t => t.Agreement >= min);
        }

        if (filter.AgreementMax is { } max)
        {
            tasks = tasks.Where(t => t.Agreement <= max);
        }

        if (filter.Gold is { } gold)
        {
            tasks = tasks.Where(t => t.IsGold == gold);
        }

        if (filter.HasGroundTruth is { } truth)
        {
            tasks = tasks.Where(t => db.GroundTruths.Any(g => g.TaskId == t.Id) == truth);
        }

        if (filter.InReview is { } review)
        {
            tasks = tasks.Where(t => db.Annotations.Any(a => a.TaskId == t.Id && a.ReviewRequested) == review);
        }

        if (filter.ImportJobId is { } job)
        {
            tasks = tasks.Where(t => t.ImportJobId == job);
        }

        if (filter.Text is { } text && !db.Database.IsSqlite())
        {
            // SQL Server: the documented LIKE fallback (docs/decisions/0016-task-browser.md); EF escapes the wildcards.
            var words = Words(text);
            foreach (var word in words)
            {
                tasks = tasks.Where(t => t.Text.Contains(word) || (t.ExternalId != null && t.ExternalId.Contains(word)));
            }
        }

        return tasks;
    }

    /// <summary>
    /// The tasks table, or on SQLite a raw query that adds the full-text match (FTS5 has no LINQ), and on both providers
    /// the metadata match (JSON functions differ by provider). EF composes the rest of the filter over it.
    /// </summary>
    /// <remarks>
    /// A search walks the FTS5 index itself, joined to each matching task: the row's "Id" is the index's rowid, so the
    /// keyset bound and the id order EF composes over it are served inside FTS5 and a page costs 50 matches, not all of
    /// them ("Id IN (SELECT rowid ...)" first collected every match: 2.2 s for a common word at 1M tasks). Other orders
    /// sort the matches (docs/decisions/0016-task-browser.md).
    /// </remarks>
    private static IQueryable<LabelingTask> Source(PortalDbContext db, TaskFilter filter)
    {
        var sqlite = db.Database.IsSqlite();
        var search = filter.Text is not null && sqlite;
        var where = new List<string>();
        var values = new List<object>();
        if (search)
        {
            where.Add($"\"TasksFts\" MATCH {{{values.Count}}}");
            values.Add(string.Join(' ', Words(filter.Text!).Select(w => $"\"{w.Replace("\"", "\"\"", StringComparison.Ordinal)}\"")));
        }

        if (filter.MetadataField is { } field)
        {
            var path = $"$.\"{field}\"";
            // Rows whose metadata is not JSON would make json_extract fail the whole query (SQLite does not promise to test
            // a json_valid() beside it first); inside the CASE they are NULL and simply do not match.
            where.Add(sqlite
                ? $"CAST(json_extract(CASE WHEN json_valid(\"Tasks\".\"MetadataJson\") THEN \"Tasks\".\"MetadataJson\" END, {{{values.Count}}}) AS TEXT) = {{{values.Count + 1}}}"
                : $"JSON_VALUE(\"MetadataJson\", {{{values.Count}}}) = {{{values.Count + 1}}}");
            values.Add(path);
            values.Add(filter.MetadataValue ?? "");
        }

        if (where.Count == 0)
        {
            return db.Tasks;
        }

        // CROSS JOIN keeps SQLite from reordering: the FTS5 index is the outer loop, each match reads its task by key.
        var from = search ? $"SELECT {SearchColumns(db)} FROM \"TasksFts\" CROSS JOIN \"Tasks\" ON \"Tasks\".\"Id\" = \"TasksFts\".rowid" : "SELECT * FROM \"Tasks\"";
        var sql = from + " WHERE " + string.Join(" AND ", where);
        return db.Tasks.FromSqlRaw(sql, [.. values]);
    }

    /// <summary>Every column of the tasks table, with "Id" taken from the FTS5 rowid (the same value) so the order by id is FTS5's own.</summary>
    private static string SearchColumns(PortalDbContext db) =>
        string.Join(", ", db.Model.FindEntityType(typeof(LabelingTask))!.GetProperties().Select(p => p.GetColumnName()).Select(c =>
            c == nameof(LabelingTask.Id) ? "\"TasksFts\".rowid AS \"Id\"" : $"\"Tasks\".\"{c}\""));

    private static void Validate(TaskFilter filter)
    {
        if (filter.AgreementMin is < 0 or > 1 || filter.AgreementMin is double.NaN)
        {
            throw new ValidationException("agreementMin", "The lowest agreement must be between 0 and 1 (for example 0.4).");
        }

        if (filter.AgreementMax is < 0 or > 1 || filter.AgreementMax is double.NaN)
        {
            throw new ValidationException("agreementMax", "The highest agreement must be between 0 and 1 (for example 0.6).");
        }

        if (filter.AgreementMin > filter.AgreementMax)
        {
            throw new ValidationException("agreementMin", "The lowest agreement is above the highest; swap them.");
        }

        if (filter.MetadataField is { } field && !FieldName().IsMatch(field))
        {
            throw new ValidationException("metaField", "A metadata field name has letters, digits, '_', '-' or spaces (up to 100).");
        }

        if (filter.MetadataField is null && filter.MetadataValue is not null)
        {
            throw new ValidationException("metaField", "Say which metadata field should have this value.");
        }

        if (filter.Text is { } text)
        {
            _ = Words(text);
        }
    }

    /// <summary>The words of a search (letters and digits), each matched whole; at least one, at most 20.</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        return words.Count switch
        {
            0 => throw new ValidationException("text", "Type a word to search for (letters or digits)."),
            > 20 => throw new ValidationException("text", "Search for at most 20 words at a time."),
            _ => [.. words.Distinct(StringComparer.OrdinalIgnoreCase)],
        };
    }

    [GeneratedRegex(@"^[\p{L}\p{N}_\- ]{1,100}$")]
    private static partial Regex FieldName();
}
