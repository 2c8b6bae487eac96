using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Core.Security;
using Portal.Core.Taxonomy;
using Portal.Web.Auth;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Taxonomy;

namespace Portal.Web.Components.Taxonomy;

/// <summary>The manager's label-set editor: every edit goes to a saved draft; publishing makes it the next version.</summary>
public sealed partial class TaxonomyPage
{
    [Parameter]
    public Guid ProjectId { get; set; }

    [Inject]
    private TaxonomyService Taxonomies { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private PortalPrincipal user = default!;
    private TaxonomyEditorState? state;
    private TaxonomyDraft? draft;
    private int concurrency;
    private string controlName = "";
    private Guid selected;
    private IReadOnlyList<TaxonomyProblem> problems = [];
    private IReadOnlySet<Guid> changedKeys = new HashSet<Guid>();
    private string? denied;
    private string? conflict;
    private bool busy;

    /// <summary>A saved draft exists: recorded changes, or edits of definitions and colors that record none but still publish.</summary>
    private bool edited;

    private static string KindNote(ControlKind kind) => kind switch
    {
        ControlKind.FreeText => " (written answer)",
        ControlKind.Relations => " (links between spans)",
        _ => "",
    };

    private TaxonomyQuestion Question => draft!.Model.Controls.FirstOrDefault(c => c.Name == controlName) ?? draft!.Model.Controls[0];

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
        }
    }

    private async Task LoadAsync()
    {
        state = await Taxonomies.LoadAsync(user, ProjectId, CancellationToken.None);
        concurrency = state.ConcurrencyVersion;
        edited = state.HasSavedDraft;
        conflict = null;
        Show(state.Draft);
        if (controlName.Length == 0)
        {
            controlName = draft!.Model.Controls[0].Name;
        }
    }

    private void Show(TaxonomyDraft value)
    {
        draft = value;
        problems = value.Validate();
        changedKeys = value.Changes.SelectMany(c => new[] { c.Key }.Concat(c.Into is { } i ? [i] : []).Concat(c.Parts ?? [])).ToHashSet();
    }

    private void ControlChanged(string name)
    {
        controlName = name;
        selected = Guid.Empty;
    }

    /// <summary>Applies an edit to the draft and saves it; a refused edit says why and changes nothing.</summary>
    private async Task ApplyAsync(TaxonomyEdit edit)
    {
        if (draft is not { } current || busy)
        {
            return;
        }

        await SavingAsync(async () =>
        {
            var next = edit.Apply(current);
            concurrency = await Taxonomies.SaveDraftAsync(user, ProjectId, next, concurrency, CancellationToken.None);
            edited = true;
            Show(next);
            selected = edit.Select ?? selected;
            if (next.Model.Find(selected) is null)
            {
                selected = Guid.Empty;
            }

            Snackbar.Add(edit.Done ?? "Saved in the draft.", Severity.Success, o => o.VisibleStateDuration = 1500);
        });
    }

    /// <summary>Runs one write of the label set with the buttons disabled; a refused write says why (a conflict offers a reload).</summary>
    private async Task SavingAsync(Func<Task> write)
    {
        busy = true;
        try
        {
            await write();
        }
        catch (TaxonomyEditException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
        }
        catch (ValidationException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        catch (ConflictException ex)
        {
            conflict = ex.Message;
        }
        finally
        {
            busy = false;
        }
    }

    private Task SaveLabelAsync(TaxonomyLabel edited) => ApplyAsync(new(d =>
        d.Rename(edited.Key, edited.Name).Describe(edited.Key, edited.Color, edited.Hotkey, edited.Description, edited.Examples, edited.CounterExamples)));

    private async Task AddTopLevelAsync()
    {
        if (await NewLabelsDialog.AskAsync(Dialogs, "Add a label", $"A new top-level label in \"{Question.Prompt}\".") is [var name, ..])
        {
            await ApplyAsync(TaxonomyEdit.Add(draft!.Model, Question, null, name));
        }
    }

    private Task ImportedAsync(TaxonomyDraft imported) => ApplyAsync(new(_ => imported, "Imported into the draft."));

    private Task DiscardAsync() => SavingAsync(async () =>
    {
        await Taxonomies.DiscardDraftAsync(user, ProjectId, concurrency, CancellationToken.None);
        await LoadAsync();
        Snackbar.Add("Draft discarded.", Severity.Info);
    });

    private async Task PublishAsync()
    {
        var impacts = await Taxonomies.ImpactAsync(user, ProjectId, CancellationToken.None);
        var dialog = await Dialogs.ShowAsync<PublishDialog>("Review and publish", new DialogParameters<PublishDialog>
        {
            { d => d.Impacts, impacts }, { d => d.NextNumber, state!.CurrentNumber + 1 },
        }, new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: string notes })
        {
            await SavingAsync(async () =>
            {
                var number = await Taxonomies.PublishAsync(user, ProjectId, concurrency, notes, CancellationToken.None);
                await LoadAsync();
                Snackbar.Add($"Version {number} is published.", Severity.Success);
            });
        }
    }
}
