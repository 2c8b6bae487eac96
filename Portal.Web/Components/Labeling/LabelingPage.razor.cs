using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Web.Audits;
using Portal.Web.Auth;
using Portal.Web.Components.Shared;
using Portal.Web.Labeling;
using Portal.Web.Projects;
using Portal.Web.Taxonomy;

namespace Portal.Web.Components.Labeling;

/// <summary>The annotator's page: one task at a time from the queue (or a reopened one), its draft saved as they go.</summary>
public sealed partial class LabelingPage : IAsyncDisposable
{
    private enum PageState { Loading, Working, Done }

    [Parameter]
    public Guid ProjectId { get; set; }

    /// <summary>Set when the user reopens one of their submitted tasks from their history.</summary>
    [SupplyParameterFromQuery(Name = "task")]
    public long? ReopenTaskId { get; set; }

    [Inject]
    private LabelingService Labeling { get; set; } = default!;

    [Inject]
    private GoldService Gold { get; set; } = default!;

    [Inject]
    private LabelDefinitionService Definitions { get; set; } = default!;

    [Inject]
    private QualityHoldService Holds { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [Inject]
    private ILogger<LabelingPage> Logger { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private readonly CancellationTokenSource cts = new();
    private PortalPrincipal user = default!;
    private DraftSession? session;
    private AnnotationEditor? editor;
    private PageState state = PageState.Loading;
    private LabelingProgress? progress;
    private bool busy;
    private Guidelines? guidelines;
    private CurrentDefinitions? definitions;
    private int editorKey;
    private bool guidelinesOpen;

    /// <summary>Why the queue gives this user nothing new (paused, onboarding failed); null when it is simply empty.</summary>
    private MyHold? hold;

    /// <summary>The "that was a check task" panel for the task just submitted (only when the project shows gold feedback).</summary>
    private GoldFeedback? feedback;

    protected override async Task OnInitializedAsync()
    {
        user = PortalClaims.ToPrincipal((await AuthenticationState).User) ?? throw new ForbiddenException("Sign in again.");
        session = new DraftSession(Labeling, user, ProjectId, Clock, Logger);
        await LoadNextAsync();
        guidelines = await Labeling.GuidelinesAsync(user, ProjectId, cts.Token);
        definitions = await Definitions.CurrentAsync(user, ProjectId, cts.Token);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _ = session!.AutosaveAsync(() => busy, () => InvokeAsync(SaveDraftAsync), cts.Token);
        }
    }

    private async Task LoadNextAsync(bool afterSubmit = false)
    {
        state = PageState.Loading;
        WorkItem? item;
        if (ReopenTaskId is { } reopen)
        {
            try
            {
                item = await Labeling.OpenAsync(user, ProjectId, reopen, cts.Token);
            }
            catch (ConflictException ex)
            {
                Snackbar.Add(ex.Message, Severity.Warning);
                Navigation.NavigateTo($"/projects/{ProjectId}/history");
                return;
            }
        }
        else
        {
            item = await Labeling.NextAsync(user, ProjectId, cts.Token);
        }

        // Two key reads (the project's task counters, decision 0019) and today's own rows: cheap enough for every task.
        progress = await Labeling.ProgressAsync(user, ProjectId, cts.Token);

        hold = item is null && ReopenTaskId is null ? await Holds.MyHoldAsync(user, ProjectId, cts.Token) : null;
        session!.Start(item, reopened: ReopenTaskId is not null, afterSubmit);
        editorKey++;
        state = item is null ? PageState.Done : PageState.Working;
    }

    private async Task KeyAsync(KeyPress key)
    {
        switch (key.Key)
        {
            case "Enter" when key.Ctrl:
                await SubmitAsync();
                return;
            case "Escape":
                guidelinesOpen = false;
                return;
            case "?":
                guidelinesOpen = !guidelinesOpen;
                return;
        }
    }

    private AnnotationResult CurrentResult() => editor?.Current ?? session?.Item?.Draft ?? AnnotationResult.Empty;

    private async Task SaveDraftAsync()
    {
        try
        {
            await session!.SaveAsync(CurrentResult);
        }
        finally
        {
            StateHasChanged();
        }
    }

    /// <summary>
    /// The second click of a double-click reaches the server after the first submit has loaded the next task; it is
    /// the same gesture (click count 2), not a submit of the fresh task.
    /// </summary>
    private Task SubmitClickedAsync(MouseEventArgs click) => click.Detail > 1 ? Task.CompletedTask : SubmitAsync();

    private async Task SubmitAsync()
    {
        if (session?.Item is null || busy)
        {
            return;
        }

        busy = true;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var submitted = session.Item.TaskId;
            if (!await session.SubmitAsync(CurrentResult()))
            {
                return;
            }

            if (ReopenTaskId is not null)
            {
                Snackbar.Add("Your changes are submitted.", Severity.Success);
                Navigation.NavigateTo($"/projects/{ProjectId}/history");
                return;
            }

            // Asked after the submit and only about the task just submitted, so nothing tells which coming tasks are gold.
            var saved = System.Diagnostics.Stopwatch.GetTimestamp();
            feedback = await Gold.FeedbackAsync(user, ProjectId, submitted, cts.Token);
            await LoadNextAsync(afterSubmit: true);

            // The server's share of submit -> next task (before rendering); the web benchmark reads it beside the page's figure.
            // Checked first: the call would box its arguments on every submit even with Debug off.
            if (Logger.IsEnabled(LogLevel.Debug))
            {
                Logger.LogDebug("Submitted task {TaskId} in {SubmitMs} ms and loaded the next in {NextMs} ms.", submitted,
                    System.Diagnostics.Stopwatch.GetElapsedTime(started, saved).TotalMilliseconds, System.Diagnostics.Stopwatch.GetElapsedTime(saved).TotalMilliseconds);
            }
        }
        finally
        {
            busy = false;
        }
    }

    private async Task SkipAsync()
    {
        if (session?.Item is null || busy)
        {
            return;
        }

        var dialog = await Dialogs.ShowAsync<ReasonDialog>("Skip this task", new DialogParameters<ReasonDialog>
        {
            { d => d.Intro, "Skipped tasks go to other annotators. Tell the team why, so the guidelines can improve." },
            { d => d.Label, "Why are you skipping this task?" },
            { d => d.ConfirmText, "Skip task" },
            { d => d.CancelText, "Keep working" },
            { d => d.InputId, "skip-reason" },
            { d => d.ConfirmId, "confirm-skip" },
        }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is not { Canceled: false, Data: string reason })
        {
            return;
        }

        busy = true;
        try
        {
            if (await session.SkipAsync(reason))
            {
                await LoadNextAsync();
            }
        }
        finally
        {
            busy = false;
        }
    }

    private async Task ReloadAsync()
    {
        await LoadNextAsync();
        Snackbar.Add("Reloaded the latest saved version of this task.", Severity.Info);
    }

    public async ValueTask DisposeAsync()
    {
        // Leaving the page saves what is not saved yet.
        if (session is { Dirty: true, Conflict: null })
        {
            try
            {
                await session.SaveAsync(CurrentResult);
            }
            catch (Exception ex)
            {
                Logger.LogWarning(ex, "Saving the draft on leaving the labeling page failed.");
            }
        }

        await cts.CancelAsync();
        cts.Dispose();
        session?.Dispose();
    }
}
