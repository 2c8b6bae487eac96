using Portal.Core.Labeling;

namespace Portal.Web.Tasks;

/// <summary>How the task browser orders tasks; every order ends with the task id, so a page boundary is exact.</summary>
public enum TaskSort
{
    Id = 0,
    Agreement = 1,
    Priority = 2,
    Created = 3,
    State = 4,
}

/// <summary>
/// What the task browser shows. Every part is optional; together they must all hold. The page keeps it in the address
/// (<see cref="TaskBrowserQuery"/>), so other pages link to a filtered list.
/// </summary>
/// <param name="LabelKey">Tasks where some annotation used this label (or a label the taxonomy migrated into it).</param>
/// <param name="MetadataField">With <paramref name="MetadataValue"/>: tasks whose imported metadata has this field with this value.</param>
/// <param name="Text">Words that must all occur in the task's text or external id.</param>
/// <param name="Deleted">Only deleted tasks (to restore them) instead of only live ones.</param>
public sealed record TaskFilter(
    TaskState? State = null,
    Guid? AnnotatorId = null,
    Guid? LabelKey = null,
    double? AgreementMin = null,
    double? AgreementMax = null,
    bool? Gold = null,
    bool? HasGroundTruth = null,
    bool? InReview = null,
    Guid? ImportJobId = null,
    string? MetadataField = null,
    string? MetadataValue = null,
    string? Text = null,
    bool Deleted = false)
{
    public static readonly TaskFilter None = new();
}

/// <param name="After">The cursor of the previous page (<see cref="TaskBrowserPage.Next"/>); null for the first page.</param>
public sealed record TaskPageRequest(TaskFilter Filter, TaskSort Sort = TaskSort.Id, bool Descending = false, string? After = null, int PageSize = 50);

/// <param name="Snippet">The first 200 characters of the text.</param>
/// <param name="Annotators">Who labeled the task; "Annotator A, B…" for QA leads when the project hides names.</param>
public sealed record TaskRow(
    long Id, string? ExternalId, string Snippet, TaskState State, double? Agreement, IReadOnlyList<string> Annotators,
    bool IsGold, bool HasGroundTruth, int Priority, DateTime CreatedAt, DateTime? DeletedAt);

/// <param name="Next">The cursor of the next page; null on the last page.</param>
/// <param name="Matching">How many tasks match, counted up to <see cref="TaskBrowserService.CountCap"/>.</param>
/// <param name="MatchingCapped">True when more than the cap match ("10,000+").</param>
public sealed record TaskBrowserPage(IReadOnlyList<TaskRow> Rows, string? Next, int Matching, bool MatchingCapped);

/// <summary>What the filter bar offers: the project's annotators, labels and import batches.</summary>
public sealed record TaskBrowserChoices(
    string ProjectName, Portal.Core.Security.ProjectRole Role, bool NamesHidden, IReadOnlyList<TaskChoice> Annotators,
    IReadOnlyList<TaskChoice> Labels, IReadOnlyList<TaskChoice> Imports);

public sealed record TaskChoice(Guid Id, string Name);

/// <summary>The tasks a bulk action works on: the ones ticked, or all matching a filter (at most <see cref="TaskBrowserService.BulkCap"/>).</summary>
public sealed record TaskSelection(IReadOnlyList<long>? Ids, TaskFilter? AllMatching = null)
{
    public static TaskSelection Of(params long[] ids) => new(ids);
}

/// <summary>What a bulk action did: how many tasks it changed, and each one it did not change with why.</summary>
public sealed record BulkResult(int Changed, IReadOnlyList<BulkRefusal> Refused, bool Capped)
{
    public string Describe(string done) =>
        $"{Changed} task(s) {done}." + (Refused.Count > 0 ? $" {Refused.Count} left as they were." : "")
        + (Capped ? $" Only the first {TaskBrowserService.BulkCap:N0} matching tasks were included." : "");
}

public sealed record BulkRefusal(long TaskId, string Reason);
