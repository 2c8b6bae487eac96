using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;

namespace Portal.Web.Components.Shared;

/// <summary>
/// What a page shows when it fails. An error the person can act on (not found, needs another role, changed meanwhile)
/// is said plainly and logged at Information; a fault shows a reference for support, and the exception goes only to the log.
/// </summary>
public sealed class PortalErrorBoundary : ErrorBoundary
{
    [Inject]
    private ILogger<PortalErrorBoundary> Logger { get; set; } = default!;

    private string correlationId = "";

    protected override Task OnErrorAsync(Exception exception)
    {
        if (ErrorMessages.ForPage(exception) is not null)
        {
            Logger.LogInformation("A page answered the user: {Message}", exception.Message);
            return Task.CompletedTask;
        }

        correlationId = Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N")[..16];
        Logger.LogError(exception, "Unhandled error in a page; correlation id {CorrelationId}", correlationId);
        return Task.CompletedTask;
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (CurrentException is null)
        {
            builder.AddContent(0, ChildContent);
            return;
        }

        builder.OpenComponent<FriendlyError>(1);
        builder.AddComponentParameter(2, nameof(FriendlyError.CorrelationId), correlationId);
        builder.AddComponentParameter(3, nameof(FriendlyError.Message), ErrorMessages.ForPage(CurrentException));
        builder.AddComponentParameter(4, nameof(FriendlyError.OnRetry), EventCallback.Factory.Create(this, Recover));
        builder.CloseComponent();
    }
}
