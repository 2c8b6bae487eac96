using MudBlazor;

namespace Portal.Web.Components.Shared;

/// <summary>
/// A menu drawn as MudMenu's markup until its first click (docs/decisions/0024): the click makes it <see cref="Live"/>,
/// the page renders the MudMenu, and <see cref="OpenAfterRenderAsync"/> opens it once it exists. It stays live after.
/// </summary>
public sealed class LazyMenu
{
    private bool opening;

    /// <summary>True once clicked: render the MudMenu instead of its markup.</summary>
    public bool Live { get; private set; }

    public void Activate()
    {
        Live = true;
        opening = true;
    }

    /// <summary>Call from OnAfterRenderAsync with the rendered menu; opens it after the click that created it.</summary>
    public async Task OpenAfterRenderAsync(MudMenu? menu)
    {
        if (opening && menu is not null)
        {
            opening = false;
            await menu.OpenMenuAsync(EventArgs.Empty);
        }
    }
}
