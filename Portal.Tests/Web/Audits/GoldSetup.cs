using Microsoft.EntityFrameworkCore;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Labeling;
using Portal.Web.Audits;
using Portal.Web.Labeling;

namespace Portal.Tests.Web.Audits;

/// <summary>A project with gold tasks marked from ground truth, and helpers to label them well or badly.</summary>
internal sealed record GoldSetup(TestDatabase Database, Guid ProjectId, List<PortalPrincipal> People, List<long> GoldTaskIds, AnnotationResult Truth)
{
    public static readonly PortalPrincipal Lead = new(Guid.CreateVersion7(), "Quinn Lead", new HashSet<string> { AppRoles.Manager });

    public LabelingService Labeling => Database.Get<LabelingService>();

    public GoldService Gold => Database.Get<GoldService>();

    public QualityHoldService Holds => Database.Get<QualityHoldService>();

    /// <summary>
    /// <paramref name="tasks"/> tasks of which the first <paramref name="gold"/> are gold (ground truth: one Person span
    /// 12–27 and the first answer of each question); <paramref name="configure"/> sets the project's gold settings.
    /// </summary>
    public static async Task<GoldSetup> CreateAsync(TestDatabase database, int tasks, int gold, int annotators, Action<Project>? configure = null, int overlap = 1)
    {
        var (projectId, people) = await LabelingServiceTests.ProjectAsync(database, tasks, overlap, annotators);
        await using var db = await database.ContextAsync();
        if (!await db.Users.AnyAsync(u => u.Id == Lead.UserId))
        {
            db.Users.Add(new User { Id = Lead.UserId, ExternalId = $"lead-{Guid.NewGuid():N}", Email = "lead@x", DisplayName = Lead.DisplayName, CreatedAt = DateTime.UtcNow });
        }

        var project = await db.Projects.SingleAsync(p => p.Id == projectId);
        configure?.Invoke(project);
        var versionId = (await db.Taxonomies.Where(t => t.ProjectId == projectId).Select(t => t.CurrentVersionId).SingleAsync())!.Value;
        var controls = await database.Get<LabelSetCache>().GetAsync(db, versionId, default);
        var truth = Result(controls, good: true);
        var ids = await db.Tasks.Where(t => t.ProjectId == projectId).OrderBy(t => t.Id).Select(t => t.Id).Take(gold).ToListAsync();
        foreach (var id in ids)
        {
            db.GroundTruths.Add(new GroundTruth { TaskId = id, ProjectId = projectId, TaxonomyVersionId = versionId, ResultJson = truth.ToJson(), DecidedAt = DateTime.UtcNow });
        }

        await db.SaveChangesAsync();
        if (ids.Count > 0)
        {
            await database.Get<GoldService>().MarkAsync(Lead, projectId, ids, default);
        }

        return new GoldSetup(database, projectId, people, ids, truth);
    }

    /// <summary>The gold answer (<paramref name="good"/>), or one that scores 0: no span and other answers.</summary>
    public static AnnotationResult Result(IReadOnlyList<ControlView> controls, bool good)
    {
        var person = controls.Single(c => c.Name == "entities").Labels.Single(l => l.Name == "Person").Key;
        var pick = good ? 0 : 1;
        return new AnnotationResult(good ? [new SpanValue("entities", person, 12, 27)] : [],
            [new AnswerValue("intent", controls.Single(c => c.Name == "intent").Labels[pick].Key),
                new AnswerValue("sentiment", controls.Single(c => c.Name == "sentiment").Labels[pick].Key)]);
    }

    /// <summary>Takes the next task and submits it well or badly; returns the task id, or null when the queue gives nothing.</summary>
    public async Task<long?> LabelNextAsync(PortalPrincipal person, bool good)
    {
        var item = await Labeling.NextAsync(person, ProjectId, default);
        if (item is null)
        {
            return null;
        }

        await Labeling.SubmitAsync(person, ProjectId, item.TaskId, Result(item.Controls, good), item.Version, 1000, default);
        return item.TaskId;
    }

    public async Task<ProjectMember> MemberAsync(PortalPrincipal person)
    {
        await using var db = await Database.ContextAsync();
        return await db.ProjectMembers.AsNoTracking().SingleAsync(m => m.ProjectId == ProjectId && m.UserId == person.UserId);
    }

    public async Task<bool> LoggedAsync(string action, PortalPrincipal about)
    {
        await using var db = await Database.ContextAsync();
        var id = about.UserId.ToString("D");
        return await db.AuditLog.AnyAsync(e => e.Action == action && e.ObjectId == id && e.ProjectId == ProjectId);
    }
}
