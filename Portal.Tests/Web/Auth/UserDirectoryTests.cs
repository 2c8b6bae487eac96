using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Auth;

namespace Portal.Tests.Web.Auth;

/// <summary>People added by e-mail before their first sign-in (the `user add` verb) and that first sign-in.</summary>
public sealed class UserDirectoryTests : IAsyncLifetime
{
    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task FirstSignIn_WithTheInvitedEmail_TakesTheInvitedUserOver()
    {
        var directory = new UserDirectory(database.Factory, TimeProvider.System);
        var (invited, created) = await directory.FindOrInviteAsync("Nia@Example.test", "Nia", default);
        var (again, createdAgain) = await directory.FindOrInviteAsync("nia@example.test", "Someone else", default);

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("oid", "entra-oid-1"), new Claim("email", "nia@example.test"), new Claim("email_verified", "true"), new Claim("name", "Nia N.")], "Test"));
        var signedIn = await directory.ProvisionAsync(principal, default);

        Assert.True(created);
        Assert.Equal((invited.Id, false), (again.Id, createdAgain));
        Assert.Equal(invited.Id, signedIn!.Id);
        await using var db = await database.ContextAsync();
        var user = await db.Users.SingleAsync();
        Assert.Equal(("entra-oid-1", "Nia N."), (user.ExternalId, user.DisplayName));
    }

    [Fact]
    public async Task SignIn_WithAnotherEmail_LeavesTheInvitationAlone()
    {
        var directory = new UserDirectory(database.Factory, TimeProvider.System);
        var (invited, _) = await directory.FindOrInviteAsync("nia@example.test", "Nia", default);

        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("oid", "entra-oid-2"), new Claim("email", "other@example.test")], "Test"));
        var signedIn = await directory.ProvisionAsync(principal, default);

        Assert.NotEqual(invited.Id, signedIn!.Id);
        await using var db = await database.ContextAsync();
        Assert.Equal("invited:nia@example.test", (await db.Users.SingleAsync(u => u.Id == invited.Id)).ExternalId);
    }

    [Theory]
    [InlineData("email", "nia@example.test", null)]
    [InlineData("preferred_username", "nia@example.test", "true")]
    [InlineData("upn", "nia@example.test", "true")]
    public async Task SignIn_WithAnEmailNobodyVouchedFor_NeverTakesTheInvitationOver(string claim, string value, string? verified)
    {
        var directory = new UserDirectory(database.Factory, TimeProvider.System);
        var (invited, _) = await directory.FindOrInviteAsync("nia@example.test", "Nia", default);
        List<Claim> claims = [new("oid", "entra-oid-3"), new(claim, value)];
        if (verified is not null)
        {
            claims.Add(new Claim("email_verified", verified));
        }

        var signedIn = await directory.ProvisionAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, "Test")), default);

        Assert.NotEqual(invited.Id, signedIn!.Id);
        await using var db = await database.ContextAsync();
        Assert.Equal("invited:nia@example.test", (await db.Users.SingleAsync(u => u.Id == invited.Id)).ExternalId);
    }

    [Fact]
    public async Task SignIn_WithAnInvitationAsItsId_IsRefused()
    {
        var directory = new UserDirectory(database.Factory, TimeProvider.System);

        var signedIn = await directory.ProvisionAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "invited:nia@example.test")], "Test")), default);

        Assert.Null(signedIn);
    }
}
