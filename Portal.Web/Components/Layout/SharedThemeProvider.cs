using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;
using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>
/// MudBlazor's theme provider, with its style markup shared by every circuit. MudBlazor builds the theme's CSS (about
/// 12,000 characters) as a new string on every render, and a circuit's render tree keeps its last two renders: 25–50 KB
/// of the same text in every open page (docs/decisions/0024). Here each render still builds it, but the tree keeps one
/// shared copy of each distinct text.
/// </summary>
public sealed class SharedThemeProvider : MudThemeProvider
{
    // A handful of texts: the theme in light and dark mode, the scrollbar and chart styles. Capped, should MudBlazor
    // ever put something changing into them.
    private static readonly ConcurrentDictionary<string, string> Shared = new(StringComparer.Ordinal);

    protected override void BuildRenderTree(RenderTreeBuilder __builder)
    {
        var scratch = new RenderTreeBuilder();
        base.BuildRenderTree(scratch);
#pragma warning disable BL0006 // Reads the frames MudBlazor built; anything but plain markup is rendered by MudBlazor itself.
        var frames = scratch.GetFrames();
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames.Array[i].FrameType != RenderTreeFrameType.Markup)
            {
                base.BuildRenderTree(__builder);
                return;
            }
        }

        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames.Array[i];
#pragma warning disable ASP0006 // The sequence numbers are MudBlazor's own, copied.
            __builder.AddMarkupContent(frame.Sequence, Share(frame.MarkupContent));
#pragma warning restore ASP0006
        }
#pragma warning restore BL0006
    }

    /// <summary>The one shared copy of this text.</summary>
    internal static string Share(string markup) =>
        Shared.TryGetValue(markup, out var shared) ? shared : Shared.Count < 32 ? Shared.GetOrAdd(markup, markup) : markup;
}
