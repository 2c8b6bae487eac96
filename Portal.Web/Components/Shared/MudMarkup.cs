using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components.Shared;

/// <summary>
/// MudBlazor's look as plain markup, for pages every annotator keeps open: each MudBlazor component holds its own
/// render buffers in every open page's circuit, markup only a few frames in its parent's (docs/decisions/0024). The
/// classes are MudBlazor's own, so the theme, dark mode and MudBlazor's CSS apply unchanged.
/// </summary>
public static class MudMarkup
{
    /// <summary>An icon as MudIcon draws it; <paramref name="icon"/> is one of MudBlazor's <c>Icons</c> (a shared constant, not copied).</summary>
    public static RenderFragment Icon(string icon, string classes = "mud-icon-root mud-svg-icon mud-icon-size-medium") => builder =>
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", classes);
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, icon);
        builder.CloseElement();
    };
}
