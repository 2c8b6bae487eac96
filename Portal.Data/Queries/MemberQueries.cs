using Portal.Core.Security;
using Portal.Data.Entities;

namespace Portal.Data.Queries;

/// <summary>Queries over project members that more than one feature reads, so scorecards and the dashboard name the same people.</summary>
public static class MemberQueries
{
    /// <summary>
    /// A project's annotators: annotator members, and members of any role who have labeled in it. One index seek per
    /// member on (project, user) instead of a scan of every annotation for the distinct labelers.
    /// </summary>
    public static IQueryable<ProjectMember> Annotators(this PortalDbContext db, Guid projectId) =>
        db.ProjectMembers.Where(m => m.ProjectId == projectId
            && (m.Role == ProjectRole.Annotator || db.Annotations.Any(a => a.ProjectId == projectId && a.UserId == m.UserId)));
}
