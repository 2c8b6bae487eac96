using Portal.Core.Security;

namespace Portal.Tests.Core.Security;

public class PortalPrincipalTests
{
    private static PortalPrincipal With(params string[] roles) => new(Guid.NewGuid(), "Test", roles.ToHashSet());

    [Fact]
    public void EffectiveRole_PlainUser_IsExactlyTheMembership()
    {
        var user = With(AppRoles.User);
        Assert.Null(user.EffectiveRole(null));
        Assert.Equal(ProjectRole.Reviewer, user.EffectiveRole(ProjectRole.Reviewer));
    }

    [Theory]
    [InlineData(AppRoles.Manager)]
    [InlineData(AppRoles.Admin)]
    public void EffectiveRole_GlobalManagerOrAdmin_ManagesEveryProject(string role)
    {
        var user = With(role);
        Assert.Equal(ProjectRole.Manager, user.EffectiveRole(null));
        Assert.Equal(ProjectRole.Manager, user.EffectiveRole(ProjectRole.Annotator));
    }

    [Theory]
    [InlineData(ProjectRole.Annotator, ProjectRole.Annotator, true)]
    [InlineData(ProjectRole.Annotator, ProjectRole.Reviewer, false)]
    [InlineData(ProjectRole.Manager, ProjectRole.Reviewer, true)]
    [InlineData(null, ProjectRole.Annotator, false)]
    public void Allows_HigherRolesIncludeLowerOnes(ProjectRole? effective, ProjectRole required, bool expected) =>
        Assert.Equal(expected, PortalPrincipal.Allows(effective, required));

    [Fact]
    public void IsManager_AdminCounts_PlainUserDoesNot()
    {
        Assert.True(With(AppRoles.Admin).IsManager);
        Assert.False(With(AppRoles.User).IsManager);
        Assert.False(With(AppRoles.Manager).IsAdmin);
    }
}
