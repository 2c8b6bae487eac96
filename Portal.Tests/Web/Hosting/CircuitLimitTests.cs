using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Configuration;
using Portal.Web.Auth;
using Portal.Web.Hosting;

namespace Portal.Tests.Web.Hosting;

public class CircuitLimitTests
{
    private sealed class SignedIn(string userId) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity([new Claim(PortalClaims.UserId, userId)], "test"))));
    }

    [Fact]
    public async Task APersonPastTheirTabLimit_IsRefused_UntilOneCloses_OthersAreNot()
    {
        var counts = new CircuitCounts(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Portal:MaxCircuitsPerUser"] = "2" }).Build());
        var tabs = new List<CircuitLimit>();
        for (var i = 0; i < 3; i++)
        {
            var tab = new CircuitLimit(counts, new SignedIn("ana"));
            await tab.OnCircuitOpenedAsync(null!, default);
            tabs.Add(tab);
        }

        Assert.Equal([false, false, true], tabs.Select(t => t.Refused));
        Assert.Equal(2, counts.OpenFor("ana"));

        var other = new CircuitLimit(counts, new SignedIn("bob"));
        await other.OnCircuitOpenedAsync(null!, default);
        Assert.False(other.Refused);

        // The refused tab closing frees nothing; a counted one does.
        await tabs[2].OnCircuitClosedAsync(null!, default);
        Assert.Equal(2, counts.OpenFor("ana"));
        await tabs[0].OnCircuitClosedAsync(null!, default);
        var again = new CircuitLimit(counts, new SignedIn("ana"));
        await again.OnCircuitOpenedAsync(null!, default);
        Assert.False(again.Refused);
    }
}
