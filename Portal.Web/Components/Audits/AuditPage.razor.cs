using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Web.Audits;
using Portal.Web.Auth;
using Portal.Web.Common;
using Portal.Web.Review;
using Portal.Web.Components.Labeling;
using Portal.Web.Components.Shared;

namespace Portal.Web.Components.Audits;

/// <summary>
/// The audit queue: one sampled item at a time, worked through with the keyboard like the review queue; the verdict,
/// the fix and the send-back go to <see cref="AuditQueueService"/>, which checks everything again on the server.
/// </summary>
public sealed partial class AuditPage
{
    [Parameter]
    public Guid ProjectId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private AuditQueueService Audits { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private PortalPrincipal user = default!;
    private AuditItem? item;
    private IReadOnlyList<AuditTarget> targets = [];
    private List<AuditErrorInput> errors = [];
    private AnnotationEditor? editor;
    private long? cursor;
    private int waiting;
    private int editorKey;
    private int? selected;
    private (int Start, int End)? words;
    private string? note;
    private string? message;
    private string? denied;
    private DateTime? nextRun;
    private bool loading = true;
    private bool busy;
    private bool picking;
    private bool fixing;
    private bool guidelinesOpen;

    private AuditTarget? SelectedTarget => words is null && selected is { } i && i < targets.Count ? targets[i] : null;

    private string PickerTarget => words is { } w && item is not null ? $"the words “{item.Text[w.Start..w.End]}”"
        : selected is { } i && i < targets.Count ? targets[i].Caption : "the whole item";

    protected override async Task OnInitializedAsync()
    {
        user = PortalClaims.ToPrincipal((await AuthenticationState).User) ?? throw new ForbiddenException("Sign in again.");
        try
        {
            await LoadAsync();
        }
        catch (Exception ex) when (ex is NotFoundException or ForbiddenException)
        {
            denied = ex.Message;
            loading = false;
        }
    }

    private async Task LoadAsync()
    {
        loading = true;
        item = await Audits.NextAsync(user, ProjectId, cursor, CancellationToken.None);
        waiting = await Audits.WaitingCountAsync(user, ProjectId, CancellationToken.None);
        nextRun = item is null ? Audits.NextNightlyRun() : null;
        targets = item is null ? [] : AuditTarget.Of(item);
        errors = [];
        note = null;
        message = null;
        selected = null;
        words = null;
        picking = false;
        fixing = false;
        editorKey++;
        loading = false;
    }

    private async Task KeyAsync(KeyPress key)
    {
        if (item is null || busy)
        {
            return;
        }

        if (key.Key == "Enter" && key.Ctrl)
        {
            await SaveAsync();
        }
        else if (!fixing && picking)
        {
            await PickerKeyAsync(key);
        }
        else if (!fixing)
        {
            await ItemKeyAsync(key);
        }
    }

    private async Task ItemKeyAsync(KeyPress key)
    {
        switch (key.Key.ToUpperInvariant())
        {
            case "C":
                await CorrectAsync();
                break;
            case "S" when targets.Count > 0:
                selected = ((selected ?? (key.Shift ? 0 : -1)) + (key.Shift ? targets.Count - 1 : 1)) % targets.Count;
                words = null;
                break;
            case "E":
                picking = true;
                break;
            case "F":
                fixing = true;
                break;
            case "B":
                await SendBackAsync();
                break;
            case "N" or "ARROWRIGHT":
                await PassAsync();
                break;
            case "ESCAPE":
                selected = null;
                words = null;
                break;
        }
    }

    private async Task PickerKeyAsync(KeyPress key)
    {
        if (key.Key == "Escape")
        {
            picking = false;
        }
        else if (int.TryParse(key.Key, out var n) && n is >= 1 and <= 5)
        {
            await PickAsync(Reasons.Choices[n - 1]);
        }
    }

    private Task PickAsync(AuditErrorType type)
    {
        if (!AuditTarget.Allows(type, SelectedTarget, words is not null))
        {
            return Warn($"A {Reasons.Describe(type)} is about {(type == AuditErrorType.MissedSpan ? "words the annotator did not mark: select them with the mouse first" : "a marked span: select it with S first")}.");
        }

        errors.Add(AuditTarget.Error(type, SelectedTarget, words, item?.Controls ?? []));
        picking = false;
        words = null;
        message = null;
        return Task.CompletedTask;
    }

    private void Select(int index)
    {
        selected = index;
        words = null;
    }

    private void WordsSelected((int Start, int End) range)
    {
        if (item is not null && TokenSnapping.Snap(item.Text, range.Start, range.End) is { } snapped)
        {
            words = snapped;
            selected = null;
        }
    }

    private Task CorrectAsync() => errors.Count > 0
        ? Warn("You marked errors on this item: remove them first, or save them with Ctrl+Enter.")
        : RecordAsync(AuditVerdictInput.Correct(note) with { Fix = FixOrNull() }, "Recorded as correct.");

    private Task SaveAsync() => errors.Count > 0
        ? RecordAsync(new AuditVerdictInput(AuditOutcome.HasErrors, errors, note, FixOrNull()), "Errors recorded.")
        : RecordAsync(AuditVerdictInput.Correct(note) with { Fix = FixOrNull() }, "Recorded as correct.");

    private async Task SendBackAsync()
    {
        if (item is null || busy)
        {
            return;
        }

        if (errors.Count == 0)
        {
            await Warn("Mark what is wrong first (select a span with S, then E), then send the work back.");
            return;
        }

        // Keys pressed while the dialog is open belong to it, not to the item behind it.
        busy = true;
        var dialog = await Dialogs.ShowAsync<ReasonDialog>("Send back to the annotator", new DialogParameters<ReasonDialog>
        {
            { d => d.Intro, $"{item.Annotator} gets this task back first in their queue, with your note, and fixes it; the fix goes to review." },
            { d => d.Label, "What should be fixed?" },
            { d => d.ConfirmText, "Send back" },
            { d => d.ConfirmColor, Color.Error },
            { d => d.Lines, 3 },
            { d => d.MaxLength, AuditQueueService.MaxNoteLength },
            { d => d.InputId, "send-back-note" },
            { d => d.ConfirmId, "confirm-send-back" },
        }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        busy = false;
        if (result is { Canceled: false, Data: string text })
        {
            note = text;
            await RecordAsync(new AuditVerdictInput(AuditOutcome.HasErrors, errors, note, FixOrNull(), SendBack: true), "Sent back to the annotator.");
        }
    }

    private AnnotationResult? FixOrNull() => fixing ? editor?.Current : null;

    private async Task RecordAsync(AuditVerdictInput input, string done)
    {
        if (item is null || busy)
        {
            return;
        }

        busy = true;
        try
        {
            await Audits.RecordAsync(user, ProjectId, item.SampleId, input, item.Version, CancellationToken.None);
            Snackbar.Add(done, Severity.Success, o => o.VisibleStateDuration = 1500);
            await LoadAsync();
        }
        catch (ValidationException ex)
        {
            message = string.Join(" ", ex.Errors.Select(e => e.Message).Distinct());
        }
        catch (ConflictException ex)
        {
            // Reload the same item as it is now; the QA lead decides again on what is there.
            var sampleId = item.SampleId;
            item = await Audits.OpenAsync(user, ProjectId, sampleId, CancellationToken.None);
            targets = AuditTarget.Of(item);
            errors = [];
            fixing = false;
            editorKey++;
            message = ex.Message;
        }
        catch (ForbiddenException ex)
        {
            message = ex.Message;
        }
        finally
        {
            busy = false;
        }
    }

    private Task Warn(string text)
    {
        message = text;
        return Task.CompletedTask;
    }

    private async Task PassAsync()
    {
        if (item is not null)
        {
            cursor = item.SampleId;
            await LoadAsync();
        }
    }

    private async Task StartOverAsync()
    {
        cursor = null;
        await LoadAsync();
    }
}
