using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;

namespace Portal.Web.Components.Shared;

/// <summary>Shows a friendly message with a correlation id; the exception itself goes only to the log.</summary>
public sealed class PortalErrorBoundary : ErrorBoundary
{
    [Inject]
    private ILogger<PortalErrorBoundary> Logger { get; set; } = default!;

    private string correlationId = "";

    protected override Task OnErrorAsync(Exception exception)
    {
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
        builder.AddComponentParameter(3, nameof(FriendlyError.OnRetry), EventCallback.Factory.Create(this, Recover));
        builder.CloseComponent();
    }
}
