using Portal.Core.Taxonomy;

namespace Portal.Core.ImportExport;

/// <summary>What to do with a Label Studio task's "annotations".</summary>
public enum ImportedAnnotations
{
    /// <summary>Rows that carry annotations are refused, so nothing is dropped without a decision.</summary>
    Refuse = 0,

    /// <summary>The first non-cancelled annotation of a task becomes its ground truth (source "imported").</summary>
    GroundTruth = 1,

    /// <summary>
    /// Every non-cancelled annotation becomes a submitted annotation of the portal user it names (by e-mail, or as
    /// mapped), and counts toward the task's overlap; complete tasks then go through consensus like any other.
    /// </summary>
    Annotations = 2,
}

/// <summary>A question ("from_name") of the file read as a question of the project.</summary>
public sealed record QuestionMapping(string From, string To);

/// <summary>A label name of the file (in a question of the project) read as one of the project's labels.</summary>
public sealed record LabelMapping(string Question, string Name, Guid LabelKey);

/// <summary>An annotator of the file (e-mail or id) read as a portal user.</summary>
public sealed record AnnotatorMapping(string Annotator, Guid UserId);

public sealed record ImportMappings(
    IReadOnlyList<QuestionMapping>? Questions = null, IReadOnlyList<LabelMapping>? Labels = null, IReadOnlyList<AnnotatorMapping>? Annotators = null)
{
    public static readonly ImportMappings None = new();
}

public sealed record UnknownQuestion(string Name, string Type, long Rows);

public sealed record UnknownLabel(string Question, string Name, long Rows);

public sealed record UnknownAnnotator(string Annotator, long Rows);

/// <summary>Names in the file the project does not know; the import waits until each is added or mapped.</summary>
public sealed record ImportDecisions(IReadOnlyList<UnknownQuestion> Questions, IReadOnlyList<UnknownLabel> Labels, IReadOnlyList<UnknownAnnotator> Annotators)
{
    public bool Any => Questions.Count + Labels.Count + Annotators.Count > 0;
}

/// <summary>A label of the project's current label set, as an import matches names against it.</summary>
public sealed record KnownLabel(Guid Key, string Name, string Path, bool IsDeprecated);

/// <summary>A question of the project's current label set, as an import matches names against it.</summary>
public sealed record KnownQuestion(string Name, ControlKind Kind, string Prompt, IReadOnlyList<KnownLabel> Labels);

/// <summary>
/// Reads the file's question, label and annotator names as the project's, through the chosen mappings; counts the
/// names it cannot place (once per row) so the import can ask about all of them at once.
/// </summary>
/// <param name="importingUser">Who an annotation without <c>completed_by</c> belongs to (Label Studio gives it to the importing user).</param>
public sealed class ImportNameResolver(
    IEnumerable<KnownQuestion> questions, ImportMappings mappings, IReadOnlyDictionary<string, Guid> usersByEmail, Guid? importingUser = null)
{
    private readonly Dictionary<string, KnownQuestion> controls = questions.ToDictionary(q => q.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, string> questionMap = (mappings.Questions ?? []).ToDictionary(m => m.From, m => m.To, StringComparer.Ordinal);
    private readonly Dictionary<(string, string), Guid> labelMap = (mappings.Labels ?? []).ToDictionary(m => (m.Question, m.Name), m => m.LabelKey);
    private readonly Dictionary<string, Guid> annotatorMap = (mappings.Annotators ?? []).ToDictionary(m => m.Annotator, m => m.UserId, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Name, string Type), long> unknownQuestions = [];
    private readonly Dictionary<(string Question, string Name), long> unknownLabels = [];
    private readonly Dictionary<string, long> unknownAnnotators = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<object> row = [];

    public Guid? ImportingUser => importingUser;

    /// <summary>Some name could not be placed: the import will wait for a decision, so nothing is written.</summary>
    public bool Waiting { get; private set; }

    /// <summary>Starts a row: a name unknown several times in one row counts once.</summary>
    public void StartRow() => row.Clear();

    public KnownQuestion? Question(string from, string type)
    {
        var name = questionMap.GetValueOrDefault(from, from);
        if (controls.TryGetValue(name, out var control))
        {
            return control;
        }

        Count(unknownQuestions, (from, type));
        return null;
    }

    /// <summary>
    /// The project's question of that name and kind, or null without asking: results of kinds Portal keeps verbatim when
    /// the project has no such question (free text, relations) are never a reason to wait for a decision.
    /// </summary>
    public KnownQuestion? Optional(string from, ControlKind kind) =>
        controls.TryGetValue(questionMap.GetValueOrDefault(from, from), out var control) && control.Kind == kind ? control : null;

    /// <summary>The project's first question of a kind (Label Studio's relations name no question).</summary>
    public KnownQuestion? FirstOf(ControlKind kind) => controls.Values.FirstOrDefault(c => c.Kind == kind);

    public Guid? Label(KnownQuestion control, string name)
    {
        if (labelMap.TryGetValue((control.Name, name), out var mapped))
        {
            return mapped;
        }

        if (control.Labels.FirstOrDefault(l => !l.IsDeprecated && (l.Name == name || l.Path == name)) is { } label)
        {
            return label.Key;
        }

        Count(unknownLabels, (control.Name, name));
        return null;
    }

    public Guid? Annotator(string annotator)
    {
        if (annotatorMap.TryGetValue(annotator, out var mapped) || usersByEmail.TryGetValue(annotator, out mapped))
        {
            return mapped;
        }

        Count(unknownAnnotators, annotator);
        return null;
    }

    public ImportDecisions Decisions() => new(
        [.. unknownQuestions.OrderBy(q => q.Key.Name, StringComparer.Ordinal).Select(q => new UnknownQuestion(q.Key.Name, q.Key.Type, q.Value))],
        [.. unknownLabels.OrderBy(l => l.Key.Question, StringComparer.Ordinal).ThenBy(l => l.Key.Name, StringComparer.Ordinal).Select(l => new UnknownLabel(l.Key.Question, l.Key.Name, l.Value))],
        [.. unknownAnnotators.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => new UnknownAnnotator(a.Key, a.Value))]);

    private void Count<TKey>(Dictionary<TKey, long> counts, TKey key)
        where TKey : notnull
    {
        Waiting = true;
        if (row.Add(key))
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }
}
