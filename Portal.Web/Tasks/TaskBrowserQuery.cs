using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Labeling;
using Portal.Web.Common;

namespace Portal.Web.Tasks;

/// <summary>
/// The task browser's address: its filter and order as query parameters, so another page can link straight to a
/// filtered list, e.g. <c>/projects/{id}/tasks?agreementMax=0.6&amp;label={labelKey}</c>. Parameters (all optional):
/// <c>state</c> (Open, Completed, InReview, Adjudication, Done), <c>annotator</c> (user id), <c>label</c> (label key),
/// <c>agreementMin</c>/<c>agreementMax</c> (0–1), <c>gold</c>, <c>truth</c> (has ground truth), <c>review</c> (waits for
/// review) as <c>yes</c>/<c>no</c>, <c>import</c> (import job id), <c>metaField</c> + <c>metaValue</c>, <c>q</c> (words of
/// the text or external id), <c>deleted=yes</c>, <c>sort</c> (id, agreement, priority, created, state), <c>desc=yes</c>.
/// </summary>
public static class TaskBrowserQuery
{
    public static string Link(Guid projectId, TaskFilter filter, TaskSort sort = TaskSort.Id, bool descending = false)
    {
        var query = new List<KeyValuePair<string, string?>>();
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                query.Add(new(key, Convert.ToString(value, CultureInfo.InvariantCulture)));
            }
        }

        Add("state", filter.State);
        Add("annotator", filter.AnnotatorId);
        Add("label", filter.LabelKey);
        Add("agreementMin", filter.AgreementMin);
        Add("agreementMax", filter.AgreementMax);
        Add("gold", YesNo(filter.Gold));
        Add("truth", YesNo(filter.HasGroundTruth));
        Add("review", YesNo(filter.InReview));
        Add("import", filter.ImportJobId);
        Add("metaField", filter.MetadataField);
        Add("metaValue", filter.MetadataValue);
        Add("q", filter.Text);
        Add("deleted", filter.Deleted ? "yes" : null);
        Add("sort", sort == TaskSort.Id ? null : sort.ToString().ToLowerInvariant());
        Add("desc", descending ? "yes" : null);
        return QueryHelpers.AddQueryString($"/projects/{projectId}/tasks", query);
    }

    /// <summary>The filter and order in an address's query; a value that does not parse is a <see cref="ValidationException"/> naming it.</summary>
    public static (TaskFilter Filter, TaskSort Sort, bool Descending) Parse(string uri)
    {
        var at = uri.IndexOf('?', StringComparison.Ordinal);
        var q = QueryHelpers.ParseQuery(at < 0 ? "" : uri[at..]);
        string? Get(string key) => q.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        var filter = new TaskFilter(
            Enum<TaskState>(Get("state"), "state"),
            Guid(Get("annotator"), "annotator"),
            Guid(Get("label"), "label"),
            Number(Get("agreementMin"), "agreementMin"),
            Number(Get("agreementMax"), "agreementMax"),
            Bool(Get("gold"), "gold"),
            Bool(Get("truth"), "truth"),
            Bool(Get("review"), "review"),
            Guid(Get("import"), "import"),
            Get("metaField"),
            Get("metaValue"),
            Get("q"),
            Bool(Get("deleted"), "deleted") ?? false);
        return (filter, Enum<TaskSort>(Get("sort"), "sort") ?? TaskSort.Id, Bool(Get("desc"), "desc") ?? false);
    }

    private static string? YesNo(bool? value) => value switch { true => "yes", false => "no", null => null };

    private static bool? Bool(string? text, string field) => text?.ToLowerInvariant() switch
    {
        null => null,
        "yes" or "true" or "1" => true,
        "no" or "false" or "0" => false,
        _ => throw new ValidationException(field, $"'{text}' in the address should be yes or no."),
    };

    private static Guid? Guid(string? text, string field) =>
        text is null ? null : System.Guid.TryParse(text, out var id) ? id : throw new ValidationException(field, $"'{text}' in the address is not an id.");

    private static double? Number(string? text, string field) =>
        text is null ? null : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n
            : throw new ValidationException(field, $"'{text}' in the address is not a number (use a dot, e.g. 0.6).");

    private static T? Enum<T>(string? text, string field) where T : struct, System.Enum =>
        text is null ? null : System.Enum.TryParse<T>(text, ignoreCase: true, out var v) && System.Enum.IsDefined(v) ? v
            : throw new ValidationException(field, $"'{text}' in the address is not one of: {string.Join(", ", System.Enum.GetNames<T>())}.");
}
