using Microsoft.AspNetCore.Components;
using Portal.Core.Labeling;
using Portal.Core.Taxonomy;
using Portal.Web.Labeling;

namespace Portal.Web.Components.Labeling;

public sealed partial class AnnotationEditor
{
    [Parameter, EditorRequired]
    public string Text { get; set; } = "";

    [Parameter, EditorRequired]
    public IReadOnlyList<ControlView> Controls { get; set; } = [];

    /// <summary>The result to start from; read again whenever <see cref="ResetKey"/> changes.</summary>
    [Parameter]
    public AnnotationResult Initial { get; set; } = AnnotationResult.Empty;

    [Parameter]
    public IReadOnlyList<SpanValue> InitialSuggestions { get; set; } = [];

    [Parameter]
    public string SuggestionsTitle { get; set; } = "Suggestions";

    /// <summary>A short note after a suggestion (e.g. who marked an adjudication candidate).</summary>
    [Parameter]
    public Func<SpanValue, string?>? SuggestionNote { get; set; }

    /// <summary>Changing it (a new task, a reload) starts the editor over from <see cref="Initial"/>.</summary>
    [Parameter, EditorRequired]
    public int ResetKey { get; set; }

    [Parameter]
    public EventCallback OnChanged { get; set; }

    /// <summary>Keys the editor leaves to the page: Ctrl+Enter, ?, and Esc (after it cleared the selection).</summary>
    [Parameter]
    public EventCallback<KeyPress> OnOtherKey { get; set; }

    /// <summary>Above this many characters the questions and palette stay in view beside the scrolling text (app.css long-text).</summary>
    private const int LongText = 5_000;

    private int? loadedKey;
    private List<SpanValue> spans = [];
    private List<SpanValue> suggestions = [];
    private Dictionary<string, HashSet<Guid>> answers = [];
    private Dictionary<string, string> texts = [];
    private List<RelationValue> relations = [];
    private string? removalNote;
    private IReadOnlyList<SpanView> spanViews = [];
    private (int Start, int End)? pending;
    private int? selected;
    private string? overlapHint;

    /// <summary>What the editor holds now.</summary>
    public AnnotationResult Current => new(
        [.. spans],
        [.. answers.SelectMany(kv => kv.Value.Select(v => new AnswerValue(kv.Key, v)))])
    {
        Texts = [.. texts.Where(kv => kv.Value.Length > 0).Select(kv => new TextValue(kv.Key, kv.Value))],
        Relations = [.. relations],
    };

    private SpanValue? SelectedSpan => selected is { } index && index < spans.Count ? spans[index] : null;

    protected override void OnParametersSet()
    {
        if (loadedKey != ResetKey)
        {
            loadedKey = ResetKey;
            spans = [.. Initial.Spans];
            suggestions = [.. InitialSuggestions];
            answers = Initial.Answers.GroupBy(a => a.Control).ToDictionary(g => g.Key, g => g.Select(a => a.Label).ToHashSet());
            texts = Initial.Texts.GroupBy(t => t.Control).ToDictionary(g => g.Key, g => g.First().Text);
            relations = [.. Initial.Relations];
            removalNote = null;
            pending = null;
            selected = null;
            overlapHint = null;
            RefreshViews();
        }
    }

    private void RefreshViews() =>
        spanViews = [.. spans.Select(s => SpanView.Of(Controls, s)), .. suggestions.Select(s => SpanView.Of(Controls, s, suggested: true))];

    private Task AcceptSuggestion(SpanValue suggestion)
    {
        suggestions.Remove(suggestion);
        if (!spans.Contains(suggestion))
        {
            spans.Add(suggestion);
        }

        return ChangedAsync();
    }

    private void RejectSuggestion(SpanValue suggestion)
    {
        suggestions.Remove(suggestion);
        RefreshViews();
    }

    private async Task AcceptAllSuggestions()
    {
        foreach (var suggestion in suggestions.ToList())
        {
            await AcceptSuggestion(suggestion);
        }
    }

    private void RejectAllSuggestions()
    {
        suggestions.Clear();
        RefreshViews();
    }

    private IReadOnlySet<Guid> AnswersOf(ControlView control) => answers.TryGetValue(control.Name, out var set) ? set : new HashSet<Guid>();

    private Task ChangedAsync()
    {
        RefreshViews();
        return OnChanged.InvokeAsync();
    }

    private void Select((int Start, int End) range)
    {
        if (TokenSnapping.Snap(Text, range.Start, range.End) is { } snapped)
        {
            pending = snapped;
            selected = null;
        }
    }

    private void SelectSpan(int index)
    {
        selected = index;
        pending = null;
    }

    private async Task ApplyLabel(ControlView control, LabelOption label)
    {
        if (selected is { } index && index < spans.Count)
        {
            var before = spans[index];
            spans[index] = before with { Control = control.Name, Label = label.Key };
            // Links name their spans by value: a relabeled span keeps its links.
            relations = [.. relations.Select(r => r with { From = r.From == before ? spans[index] : r.From, To = r.To == before ? spans[index] : r.To }).Distinct()];
            overlapHint = OverlapHint(spans[index], label);
            await ChangedAsync();
        }
        else if (pending is { } range)
        {
            var span = new SpanValue(control.Name, label.Key, range.Start, range.End);
            pending = null;
            if (!spans.Contains(span))
            {
                spans.Add(span);
                overlapHint = OverlapHint(span, label);
                await ChangedAsync();
            }
        }
    }

    /// <summary>Two overlapping spans of one label are usually one mention marked twice: say so, without refusing it.</summary>
    private string? OverlapHint(SpanValue span, LabelOption label) =>
        spans.Where(o => o != span && o.Control == span.Control && o.Label == span.Label && o.Start < span.End && span.Start < o.End)
            .Select(o => (SpanValue?)o).FirstOrDefault() is { } other
            ? $"This {label.Name} span overlaps another {label.Name} span (\"{Text[other.Start..other.End]}\"). If they are the same mention, remove one of them."
            : null;

    private Task RemoveSpan(int index)
    {
        if (index >= spans.Count)
        {
            return Task.CompletedTask;
        }

        var removed = spans[index];
        spans.RemoveAt(index);
        selected = null;
        var links = relations.RemoveAll(r => r.From == removed || r.To == removed);
        removalNote = links == 0 ? null
            : $"Removed “{Text[removed.Start..removed.End]}” and its {(links == 1 ? "link" : $"{links} links")} to other spans.";
        return ChangedAsync();
    }

    private Task SetText(ControlView control, string value)
    {
        texts[control.Name] = value ?? "";
        return ChangedAsync();
    }

    private Task AddRelation(RelationValue relation)
    {
        if (relations.Contains(relation))
        {
            return Task.CompletedTask;
        }

        relations.Add(relation);
        return ChangedAsync();
    }

    private Task RemoveRelation(RelationValue relation)
    {
        relations.Remove(relation);
        return ChangedAsync();
    }

    private Task SetAnswers(ControlView control, IReadOnlySet<Guid> keys)
    {
        answers[control.Name] = [.. keys];
        return ChangedAsync();
    }

    private async Task KeyAsync(KeyPress key)
    {
        switch (key.Key)
        {
            case "Enter" when key.Ctrl:
            case "?":
                await OnOtherKey.InvokeAsync(key);
                return;
            case "Escape":
                pending = null;
                selected = null;
                await OnOtherKey.InvokeAsync(key);
                return;
            case "Delete" or "Backspace" when selected is { } index:
                await RemoveSpan(index);
                return;
            case "Delete" when suggestions.Count > 0:
                RejectSuggestion(suggestions[0]);
                return;
            case "Enter" when suggestions.Count > 0:
                await AcceptSuggestion(suggestions[0]);
                return;
            case "ArrowRight" or "ArrowLeft":
                MoveByToken(key.Key == "ArrowRight", key.Shift);
                return;
        }

        // A span label's key labels the selection; with nothing selected the same key may answer a question instead
        // (the label set only forbids clashes within a question and across span questions).
        if (pending is not null || selected is not null)
        {
            if (HotkeyLabel(Controls.Where(c => c.Kind == ControlKind.Spans), key.Key) is { } spanHit)
            {
                await ApplyLabel(spanHit.Control, spanHit.Label);
                return;
            }
        }

        if (HotkeyLabel(Controls.Where(c => c.Kind.IsChoice()), key.Key) is { } choice)
        {
            await AnswerByKey(choice.Control, choice.Label);
        }
    }

    private static (ControlView Control, LabelOption Label)? HotkeyLabel(IEnumerable<ControlView> controls, string key)
    {
        foreach (var control in controls)
        {
            if (control.Labels.FirstOrDefault(l => !l.IsDeprecated && string.Equals(l.Hotkey, key, StringComparison.OrdinalIgnoreCase)) is { } label)
            {
                return (control, label);
            }
        }

        return null;
    }

    /// <summary>A choice's key picks it (one-answer questions) or turns it on and off (several answers).</summary>
    private Task AnswerByKey(ControlView control, LabelOption label)
    {
        if (control.Kind != ControlKind.MultipleChoice)
        {
            return SetAnswers(control, new HashSet<Guid> { label.Key });
        }

        var next = new HashSet<Guid>(AnswersOf(control));
        if (!next.Remove(label.Key))
        {
            next.Add(label.Key);
        }

        return SetAnswers(control, next);
    }

    /// <summary>Keyboard selection: arrows move to the next/previous token, Shift+arrows extend by a token.</summary>
    private void MoveByToken(bool forward, bool extend)
    {
        var tokens = TokenSnapping.Tokens(Text);
        if (tokens.Count == 0)
        {
            return;
        }

        if (pending is not { } current)
        {
            pending = forward ? tokens[0] : tokens[^1];
            selected = null;
            return;
        }

        var next = forward ? tokens.FirstOrDefault(t => t.Start >= current.End) : tokens.LastOrDefault(t => t.End <= current.Start);
        if (next == default)
        {
            return;
        }

        pending = !extend ? next : forward ? (current.Start, next.End) : (next.Start, current.End);
    }
}
