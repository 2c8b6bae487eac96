using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Web.Labeling;
using Portal.Web.Projects;

namespace Portal.Web.Components.Labeling;

/// <summary>
/// The work in progress on one labeling page: the task, the version last saved, unsaved changes, and the lock that
/// keeps an autosave, a submit and a skip from writing at once. The lock is released on every path, whatever a call
/// throws, so one failed call never stops the page from saving.
/// </summary>
public sealed class DraftSession(LabelingService labeling, PortalPrincipal user, Guid projectId, TimeProvider clock, ILogger logger) : IDisposable
{
    /// <summary>The pause after the last change before an autosave, so typing a run of keys is one save, not many.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(800);

    /// <summary>How often the autosave looks; with <see cref="Quiet"/>, a change is saved about a second after the last one.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim saving = new(1, 1);
    private DateTimeOffset lastChange;
    private DateTimeOffset openedAt;

    /// <summary>The task being worked on; null before the first task and once the queue is empty.</summary>
    public WorkItem? Item { get; private set; }

    public int Version { get; private set; }

    public bool Dirty { get; private set; }

    /// <summary>What the page shows beside the task id: restored, unsaved, saved at…</summary>
    public string Status { get; private set; } = "";

    /// <summary>Set when someone else changed the task meanwhile; nothing more is saved until the page reloads it.</summary>
    public string? Conflict { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public bool AutosaveDue => Item is not null && Dirty && Conflict is null && clock.GetUtcNow() - lastChange >= Quiet;

    /// <summary>Starts over on a task (the next one, a reload, a reopened one); null when nothing is left.</summary>
    /// <param name="afterSubmit">The page comes from submitting the last task: the status says so (instead of a pop-up notice, which cost each open page renders and a timer).</param>
    public void Start(WorkItem? item, bool reopened, bool afterSubmit = false)
    {
        Item = item;
        Version = item?.Version ?? 0;
        Dirty = false;
        Conflict = null;
        Errors = [];
        openedAt = clock.GetUtcNow();
        Status = item is null ? ""
            : reopened ? "Reopened: your changes are saved as you go; submit again when done"
            : item.ReviewComment is not null ? "Sent back for a fix: change it and submit again"
            : item.Relabel is not null ? "Relabel requested: see why below"
            : item.Version > 0 ? "Draft restored"
            : afterSubmit ? "Submitted ✓" : "";
    }

    public void Changed()
    {
        Dirty = true;
        lastChange = clock.GetUtcNow();
        Status = "Unsaved changes";
    }

    /// <summary>
    /// Saves about a second after the last change until <paramref name="ct"/> ends, so a closed tab or dropped connection
    /// loses seconds at most. <paramref name="save"/> runs the save where the page renders; nothing is saved while <paramref name="paused"/>.
    /// </summary>
    public async Task AutosaveAsync(Func<bool> paused, Func<Task> save, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Tick, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (AutosaveDue && !paused())
                {
                    await TrySaveAsync(save);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page is closing.
        }
    }

    private async Task TrySaveAsync(Func<Task> save)
    {
        try
        {
            await save();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next tick tries again: one failed save must not end autosaving for the rest of the page's life.
            logger.LogWarning(ex, "Autosaving the draft of task {TaskId} failed.", Item?.TaskId);
        }
    }

    /// <summary>Saves the draft if it changed. <paramref name="current"/> is read again afterwards: edits made during the save keep it dirty.</summary>
    public async Task SaveAsync(Func<AnnotationResult> current)
    {
        if (Item is not { } item || !Dirty)
        {
            return;
        }

        await saving.WaitAsync();
        try
        {
            var result = current();
            Status = "Saving…";
            // A blind retest is written to its retest, never to the annotation (the flag is the item's, held here on the server).
            Version = item.RetestId is { } retest
                ? await labeling.SaveRetestDraftAsync(user, projectId, retest, result, Version, CancellationToken.None)
                : await labeling.SaveDraftAsync(user, projectId, item.TaskId, result, Version, CancellationToken.None);
            Dirty = !Equals(result.ToJson(), current().ToJson());
            Errors = [];
            Status = $"Draft saved {clock.GetLocalNow():HH:mm:ss}";
        }
        catch (ConflictException ex)
        {
            Conflict = ex.Message;
            Status = "Not saved";
        }
        catch (ValidationException ex)
        {
            Errors = Messages(ex);
            Status = "Not saved";
        }
        catch
        {
            Status = "Not saved";
            throw;
        }
        finally
        {
            saving.Release();
        }
    }

    /// <summary>Submits <paramref name="result"/>; false when it was refused (see <see cref="Errors"/> and <see cref="Conflict"/>).</summary>
    public Task<bool> SubmitAsync(AnnotationResult result) => WriteAsync(item => item.RetestId is { } retest
        ? labeling.SubmitRetestAsync(user, projectId, retest, result, Version, CancellationToken.None)
        : labeling.SubmitAsync(user, projectId, item.TaskId, result, Version, (long)(clock.GetUtcNow() - openedAt).TotalMilliseconds, CancellationToken.None));

    /// <summary>Skips the task with a reason; false when it was refused (see <see cref="Errors"/> and <see cref="Conflict"/>).</summary>
    public Task<bool> SkipAsync(string reason) => WriteAsync(item => item.RetestId is { } retest
        ? labeling.SkipRetestAsync(user, projectId, retest, reason, Version, CancellationToken.None)
        : labeling.SkipAsync(user, projectId, item.TaskId, reason, Version, CancellationToken.None));

    /// <summary>One final write for the task under the lock; a refusal is kept for the page to show, anything else is thrown.</summary>
    private async Task<bool> WriteAsync(Func<WorkItem, Task> write)
    {
        if (Item is not { } item)
        {
            return false;
        }

        await saving.WaitAsync();
        try
        {
            await write(item);
            return true;
        }
        catch (ValidationException ex)
        {
            Errors = Messages(ex);
            return false;
        }
        catch (ConflictException ex)
        {
            Conflict = ex.Message;
            return false;
        }
        finally
        {
            saving.Release();
        }
    }

    public void Dispose() => saving.Dispose();

    private static string[] Messages(ValidationException ex) => [.. ex.Errors.Select(e => e.Message).Distinct()];
}
