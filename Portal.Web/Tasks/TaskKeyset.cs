using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Web.Common;

namespace Portal.Web.Tasks;

/// <summary>A task's position in the browser's order: its id and every sort value.</summary>
internal sealed record TaskKey(long Id, double? Agreement, int Priority, DateTime CreatedAt, TaskState State);

/// <summary>
/// The position after which the next page starts: the last row's sort value and id. Written into the page's "next"
/// link as text, so it is parsed back with care.
/// </summary>
internal sealed record TaskCursor(TaskSort Sort, string Value, long Id)
{
    public static string Of(TaskKey last, TaskSort sort) => $"{(int)sort}~{ValueOf(last, sort)}~{last.Id.ToString(CultureInfo.InvariantCulture)}";

    public static TaskCursor? Parse(string? text, TaskSort sort)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split('~');
        if (parts.Length != 3 || parts[0] != ((int)sort).ToString(CultureInfo.InvariantCulture) || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !ValueParses(sort, parts[1]))
        {
            throw new ValidationException("after", "This page link is out of date or damaged; start again from the first page.");
        }

        return new TaskCursor(sort, parts[1], id);
    }

    public double? Agreement => Value == "" ? null : double.Parse(Value, CultureInfo.InvariantCulture);
    public long Number => long.Parse(Value, CultureInfo.InvariantCulture);

    private static string ValueOf(TaskKey key, TaskSort sort) => sort switch
    {
        TaskSort.Agreement => key.Agreement?.ToString("R", CultureInfo.InvariantCulture) ?? "",
        TaskSort.Priority => key.Priority.ToString(CultureInfo.InvariantCulture),
        TaskSort.Created => key.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
        TaskSort.State => ((int)key.State).ToString(CultureInfo.InvariantCulture),
        _ => "",
    };

    private static bool ValueParses(TaskSort sort, string value) => sort switch
    {
        TaskSort.Id => value == "",
        TaskSort.Agreement => value == "" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        _ => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && (sort != TaskSort.Created || n is >= 0 and <= 3155378975999999999),
    };
}

/// <summary>
/// Keyset pages: "value &gt;= v and (value &gt; v or id &gt; last id)" in (value, id) order, so each page is one range of
/// the (ProjectId, value, Id) index however deep it is (OFFSET would read every row before it).
/// </summary>
internal static class TaskKeyset
{
    public static async Task<List<TaskKey>> PageAsync(IQueryable<LabelingTask> tasks, TaskSort sort, bool descending, TaskCursor? after, int take, CancellationToken ct)
    {
        if (sort == TaskSort.Agreement)
        {
            return await AgreementPageAsync(tasks, descending, after, take, ct);
        }

        var page = sort switch
        {
            TaskSort.Priority => ByPriority(tasks, descending, after),
            TaskSort.Created => ByCreated(tasks, descending, after),
            TaskSort.State => ByState(tasks, descending, after),
            _ => ById(tasks, descending, after),
        };
        return await Keys(page.Take(take)).ToListAsync(ct);
    }

    private static IQueryable<LabelingTask> ById(IQueryable<LabelingTask> q, bool desc, TaskCursor? after)
    {
        if (after is { Id: var id })
        {
            q = desc ? q.Where(t => t.Id < id) : q.Where(t => t.Id > id);
        }

        return desc ? q.OrderByDescending(t => t.Id) : q.OrderBy(t => t.Id);
    }

    private static IQueryable<LabelingTask> ByPriority(IQueryable<LabelingTask> q, bool desc, TaskCursor? after)
    {
        if (after is { Id: var id })
        {
            var v = (int)after.Number;
            q = desc ? q.Where(t => t.Priority <= v && (t.Priority < v || t.Id < id)) : q.Where(t => t.Priority >= v && (t.Priority > v || t.Id > id));
        }

        return desc ? q.OrderByDescending(t => t.Priority).ThenByDescending(t => t.Id) : q.OrderBy(t => t.Priority).ThenBy(t => t.Id);
    }

    private static IQueryable<LabelingTask> ByCreated(IQueryable<LabelingTask> q, bool desc, TaskCursor? after)
    {
        if (after is { Id: var id })
        {
            var v = new DateTime(after.Number, DateTimeKind.Utc);
            q = desc ? q.Where(t => t.CreatedAt <= v && (t.CreatedAt < v || t.Id < id)) : q.Where(t => t.CreatedAt >= v && (t.CreatedAt > v || t.Id > id));
        }

        return desc ? q.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id) : q.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id);
    }

    private static IQueryable<LabelingTask> ByState(IQueryable<LabelingTask> q, bool desc, TaskCursor? after)
    {
        if (after is { Id: var id })
        {
            var v = (TaskState)after.Number;
            q = desc ? q.Where(t => t.State <= v && (t.State < v || t.Id < id)) : q.Where(t => t.State >= v && (t.State > v || t.Id > id));
        }

        return desc ? q.OrderByDescending(t => t.State).ThenByDescending(t => t.Id) : q.OrderBy(t => t.State).ThenBy(t => t.Id);
    }

    /// <summary>
    /// Tasks with an agreement come first in either direction (lowest or highest first), then those never evaluated by
    /// id: two ranges of the (ProjectId, Agreement, Id) index, so a nullable column pages as exactly as the others.
    /// </summary>
    private static async Task<List<TaskKey>> AgreementPageAsync(IQueryable<LabelingTask> q, bool desc, TaskCursor? after, int take, CancellationToken ct)
    {
        var keys = new List<TaskKey>();
        if (after is null || after.Agreement is not null)
        {
            var rated = q.Where(t => t.Agreement != null);
            if (after is { Agreement: { } v, Id: var id })
            {
                rated = desc ? rated.Where(t => t.Agreement <= v && (t.Agreement < v || t.Id < id)) : rated.Where(t => t.Agreement >= v && (t.Agreement > v || t.Id > id));
            }

            rated = desc ? rated.OrderByDescending(t => t.Agreement).ThenByDescending(t => t.Id) : rated.OrderBy(t => t.Agreement).ThenBy(t => t.Id);
            keys.AddRange(await Keys(rated.Take(take)).ToListAsync(ct));
            if (keys.Count == take)
            {
                return keys;
            }
        }

        var unrated = q.Where(t => t.Agreement == null);
        if (after is { Agreement: null, Id: var last })
        {
            unrated = desc ? unrated.Where(t => t.Id < last) : unrated.Where(t => t.Id > last);
        }

        unrated = desc ? unrated.OrderByDescending(t => t.Id) : unrated.OrderBy(t => t.Id);
        keys.AddRange(await Keys(unrated.Take(take - keys.Count)).ToListAsync(ct));
        return keys;
    }

    private static IQueryable<TaskKey> Keys(IQueryable<LabelingTask> q) => q.Select(t => new TaskKey(t.Id, t.Agreement, t.Priority, t.CreatedAt, t.State));
}
