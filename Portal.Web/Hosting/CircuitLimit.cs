using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Portal.Web.Auth;

namespace Portal.Web.Hosting;

/// <summary>Live Blazor circuits (open tabs) per person in this process.</summary>
public sealed class CircuitCounts(IConfiguration configuration)
{
    private readonly ConcurrentDictionary<string, int> open = new();

    /// <summary>The most tabs one person may hold open (<c>Portal:MaxCircuitsPerUser</c>); each holds server memory.</summary>
    public int MaxPerUser { get; } = Math.Max(1, configuration.GetValue("Portal:MaxCircuitsPerUser", 20));

    public bool TryOpen(string person)
    {
        var count = open.AddOrUpdate(person, 1, (_, c) => c + 1);
        if (count <= MaxPerUser)
        {
            return true;
        }

        Close(person);
        return false;
    }

    public void Close(string person) => open.AddOrUpdate(person, 0, (_, c) => Math.Max(0, c - 1));

    public int OpenFor(string person) => open.GetValueOrDefault(person);
}

/// <summary>
/// Counts a person's circuits as they open and close; past the limit the circuit is marked refused and the layout shows
/// a plain message instead of the page (the circuit then holds almost nothing).
/// </summary>
public sealed class CircuitLimit(CircuitCounts counts, AuthenticationStateProvider authentication) : CircuitHandler
{
    private string? person;

    public bool Refused { get; private set; }

    public int MaxPerUser => counts.MaxPerUser;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        var id = state.User.FindFirst(PortalClaims.UserId)?.Value;
        if (id is null)
        {
            return;
        }

        if (counts.TryOpen(id))
        {
            person = id;
        }
        else
        {
            Refused = true;
        }
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (person is not null)
        {
            counts.Close(person);
            person = null;
        }

        return Task.CompletedTask;
    }
}
