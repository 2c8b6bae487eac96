using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Core.Security;
using Portal.Data;
using Portal.Data.Entities;

namespace Portal.Web.Audits;

/// <summary>
/// Onboarding and auto-pause: whether the queue gives an annotator new work, decided on their gold scores, and the QA
/// lead's decisions on people on hold (resume, let start, retry onboarding).
/// <para>
/// <see cref="ProjectMember.HoldSince"/> is also the start of the person's count once a hold is lifted: only gold scores
/// after it count towards onboarding and the rolling score. So a retried onboarding starts from zero, and a resumed
/// annotator is not paused again at once on the same old scores.
/// </para>
/// Only members with the Annotator role are onboarded and paused: QA leads and managers who label are trusted.
/// </summary>
public sealed class QualityHoldService(IDbContextFactory<PortalDbContext> factory, ProjectAccess access, AuditLog audit, TimeProvider clock)
{
    private sealed record Member(Guid UserId, ProjectRole Role, AnnotatorHold Hold, string? HoldReason, DateTime? HoldSince, DateTime? OnboardedAt);

    private sealed record Rules(int OnboardingGoldTasks, double OnboardingThreshold, int AutoPauseWindow, double AutoPauseThreshold, bool Anonymous);

    /// <summary>
    /// What the queue may give this user now. Called by the queue on every Next, so it is a few indexed reads; the first
    /// Next of someone who labeled before onboarding was switched on records them as onboarded (no surprise lock-out).
    /// </summary>
    public async Task<QueueGate> GateAsync(Guid projectId, Guid userId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var member = await MemberAsync(db, projectId, userId, ct);
        if (member is null || member.Role != ProjectRole.Annotator)
        {
            return QueueGate.Open;
        }

        if (member.Hold != AnnotatorHold.None)
        {
            return QueueGate.Held;
        }

        // An onboarded annotator (the usual case on this hot path) needs no look at the project's rules.
        if (member.OnboardedAt is not null)
        {
            return QueueGate.Open;
        }

        var rules = await RulesAsync(db, projectId, ct);
        if (rules.OnboardingGoldTasks == 0)
        {
            return QueueGate.Open;
        }

        if (await LabeledBeforeAsync(db, projectId, userId, ct) is { } first)
        {
            await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.UserId == userId && m.OnboardedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.OnboardedAt, first), ct);
            return QueueGate.Open;
        }

        return await OnboardingPossibleAsync(db, projectId, member, rules, ct) ? QueueGate.OnboardingOnly : QueueGate.Open;
    }

    /// <summary>The user's own hold, for their labeling page; null when they are not held.</summary>
    public async Task<MyHold?> MyHoldAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Annotator, ct);
        var member = await MemberAsync(db, projectId, user.UserId, ct);
        return member is { Hold: not AnnotatorHold.None } ? new MyHold(member.Hold, member.HoldReason ?? "", member.HoldSince) : null;
    }

    /// <summary>
    /// After each gold score of a user: ends their onboarding (passed, or failed and on hold for a QA lead) once they have
    /// the project's number of onboarding scores; otherwise pauses them when the mean of their last K scores is below the
    /// threshold (and they have at least K). Idempotent: a held person is left as they are.
    /// </summary>
    public async Task AfterScoreAsync(Guid projectId, Guid userId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var member = await db.ProjectMembers.SingleOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == userId, ct);
        if (member is null || member.Role != ProjectRole.Annotator || member.Hold != AnnotatorHold.None)
        {
            return;
        }

        var rules = await RulesAsync(db, projectId, ct);
        var scores = await ScoresAsync(db, projectId, userId, member.HoldSince, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var name = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) ?? "annotator";
        AuditLogEntry? entry = null;
        if (rules.OnboardingGoldTasks > 0 && member.OnboardedAt is null)
        {
            if (scores.Count < rules.OnboardingGoldTasks)
            {
                return;
            }

            var mean = scores.Take(rules.OnboardingGoldTasks).Average();
            var summary = $"scored {Percent(mean)} on {rules.OnboardingGoldTasks} onboarding tasks; needs {Percent(rules.OnboardingThreshold)}";
            if (mean >= rules.OnboardingThreshold)
            {
                member.OnboardedAt = now;
                entry = audit.Entry(null, "Portal", "member.onboarding-passed", "user", userId.ToString("D"), projectId, $"{name} {summary}");
            }
            else
            {
                Hold(member, AnnotatorHold.OnboardingFailed, $"Onboarding: {summary}.", now);
                entry = audit.Entry(null, "Portal", "member.onboarding-failed", "user", userId.ToString("D"), projectId, $"{name} {summary}");
            }
        }
        else if (rules.AutoPauseWindow > 0 && scores.Count >= rules.AutoPauseWindow
                 && GoldScoring.Rolling(scores, rules.AutoPauseWindow) is { } rolling && rolling < rules.AutoPauseThreshold)
        {
            var reason = $"Gold score {Percent(rolling)} over the last {rules.AutoPauseWindow} check tasks; needs {Percent(rules.AutoPauseThreshold)}.";
            Hold(member, AnnotatorHold.Paused, reason, now);
            entry = audit.Entry(null, "Portal", "member.pause", "user", userId.ToString("D"), projectId, $"{name} paused: {reason}");
        }

        if (entry is not null)
        {
            db.AuditLog.Add(entry);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Resumes a paused annotator: new tasks again, and their rolling score counts only gold scores from now on.</summary>
    public Task ResumeAsync(PortalPrincipal user, Guid projectId, Guid annotatorId, CancellationToken ct) =>
        DecideAsync(user, projectId, annotatorId, AnnotatorHold.Paused, "member.resume", "resumed", onboarded: false, ct);

    /// <summary>Lets an annotator who failed onboarding start on real tasks (their rolling score starts from now).</summary>
    public Task LetStartAsync(PortalPrincipal user, Guid projectId, Guid annotatorId, CancellationToken ct) =>
        DecideAsync(user, projectId, annotatorId, AnnotatorHold.OnboardingFailed, "member.let-start", "let start without passing onboarding", onboarded: true, ct);

    /// <summary>
    /// Gives an annotator who failed onboarding another round: their earlier onboarding scores no longer count, and they
    /// get gold tasks they have not done yet. Refused when too few such tasks are left.
    /// </summary>
    public async Task RetryOnboardingAsync(PortalPrincipal user, Guid projectId, Guid annotatorId, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
            var rules = await RulesAsync(db, projectId, ct);
            if (await UnseenGoldAsync(db, projectId, annotatorId, ct) < rules.OnboardingGoldTasks)
            {
                throw new ConflictException(
                    $"Fewer than {rules.OnboardingGoldTasks} gold tasks are left that this annotator has not done. Mark more tasks as gold, or let them start.");
            }
        }

        await DecideAsync(user, projectId, annotatorId, AnnotatorHold.OnboardingFailed, "member.onboarding-retry", "given another onboarding round", onboarded: false, ct);
    }

    private async Task DecideAsync(
        PortalPrincipal user, Guid projectId, Guid annotatorId, AnnotatorHold expected, string action, string what, bool onboarded, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var member = await db.ProjectMembers.Include(m => m.User).SingleOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == annotatorId, ct)
            ?? throw new NotFoundException("The annotator");
        if (member.Hold != expected)
        {
            throw new ConflictException("Someone decided about this annotator meanwhile. The list is reloaded; look again.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var reason = member.HoldReason;
        member.Hold = AnnotatorHold.None;
        member.HoldReason = null;
        member.HoldSince = now;
        if (onboarded)
        {
            member.OnboardedAt = now;
        }

        db.AuditLog.Add(audit.Entry(user.UserId, user.DisplayName, action, "user", annotatorId.ToString("D"), projectId,
            $"{member.User?.DisplayName ?? "Annotator"} {what} by {user.DisplayName} (was: {reason})"));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The project's annotators for the gold page: people on hold first (with reason and recent scores), then onboarding
    /// status in words. Names are hidden ("Annotator A") for QA leads when the project anonymizes.
    /// </summary>
    public async Task<IReadOnlyList<PersonStanding>> PeopleAsync(PortalPrincipal user, Guid projectId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var role = await access.RequireAsync(db, user, projectId, ProjectRole.Reviewer, ct);
        var rules = await RulesAsync(db, projectId, ct);
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId && m.Role == ProjectRole.Annotator)
            .OrderBy(m => m.UserId)
            .Select(m => new { Member = new Member(m.UserId, m.Role, m.Hold, m.HoldReason, m.HoldSince, m.OnboardedAt), Name = m.User!.DisplayName })
            .ToListAsync(ct);
        var window = Math.Max(5, Math.Max(rules.AutoPauseWindow, rules.OnboardingGoldTasks));
        var anonymous = Anonymity.HidesNames(rules.Anonymous, role);
        var people = new List<PersonStanding>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i].Member;
            var recent = (await db.GoldScores.AsNoTracking().Where(s => s.ProjectId == projectId && s.UserId == m.UserId)
                .OrderByDescending(s => s.ScoredAt).ThenByDescending(s => s.Id).Take(window).Select(s => s.Score).ToListAsync(ct)).AsEnumerable().Reverse().ToList();
            var counted = await ScoresAsync(db, projectId, m.UserId, m.HoldSince, ct);
            var onboarding = await OnboardingAsync(db, projectId, m, rules, counted.Count, ct);
            var canRetry = m.Hold == AnnotatorHold.OnboardingFailed && await UnseenGoldAsync(db, projectId, m.UserId, ct) >= rules.OnboardingGoldTasks;
            people.Add(new PersonStanding(m.UserId, anonymous ? $"Annotator {ScorecardMath.Letter(i)}" : members[i].Name, m.Hold, m.HoldReason, m.HoldSince, onboarding, recent,
                rules.AutoPauseWindow > 0 ? GoldScoring.Rolling(recent, rules.AutoPauseWindow) : null, canRetry));
        }

        return [.. people.OrderBy(p => p.Hold == AnnotatorHold.None)];
    }

    private static async Task<string> OnboardingAsync(PortalDbContext db, Guid projectId, Member m, Rules rules, int counted, CancellationToken ct)
    {
        if (m.Hold == AnnotatorHold.OnboardingFailed)
        {
            return "Did not pass: waiting for your decision";
        }

        if (m.OnboardedAt is { } at)
        {
            return $"Onboarded {at:yyyy-MM-dd}";
        }

        if (rules.OnboardingGoldTasks == 0)
        {
            return "Onboarding is off";
        }

        if (await LabeledBeforeAsync(db, projectId, m.UserId, ct) is not null)
        {
            return "Labeled before onboarding was on: counts as onboarded";
        }

        return await OnboardingPossibleAsync(db, projectId, m, rules, ct)
            ? $"In onboarding: {counted} of {rules.OnboardingGoldTasks} check tasks done"
            : "Not onboarded: too few gold tasks, labels normally";
    }

    /// <summary>
    /// Whether onboarding can finish for this person: enough gold tasks they have not done to reach the number (else they
    /// label normally rather than being locked out; the gold page tells the manager).
    /// </summary>
    private static async Task<bool> OnboardingPossibleAsync(PortalDbContext db, Guid projectId, Member member, Rules rules, CancellationToken ct)
    {
        var counted = (await ScoresAsync(db, projectId, member.UserId, member.HoldSince, ct)).Count;
        return counted + await UnseenGoldAsync(db, projectId, member.UserId, ct) >= rules.OnboardingGoldTasks;
    }

    /// <summary>Gold tasks this user has no annotation on (skipped ones count as done: the queue never serves them again).</summary>
    private static Task<int> UnseenGoldAsync(PortalDbContext db, Guid projectId, Guid userId, CancellationToken ct) =>
        db.Tasks.CountAsync(t => t.ProjectId == projectId && t.IsGold && !db.Annotations.Any(a => a.TaskId == t.Id && a.UserId == userId), ct);

    /// <summary>When the user first submitted work on a task that is not gold, if ever: such a person was labeling before onboarding.</summary>
    private static async Task<DateTime?> LabeledBeforeAsync(PortalDbContext db, Guid projectId, Guid userId, CancellationToken ct) =>
        await db.Annotations.Where(a => a.ProjectId == projectId && a.UserId == userId && a.SubmittedAt != null && a.Status != AnnotationStatus.Skipped
                && !db.Tasks.Any(t => t.Id == a.TaskId && t.IsGold))
            .OrderBy(a => a.SubmittedAt).Select(a => a.SubmittedAt).FirstOrDefaultAsync(ct);

    /// <summary>The user's gold scores that count (after <paramref name="since"/>), oldest first.</summary>
    private static async Task<List<double>> ScoresAsync(PortalDbContext db, Guid projectId, Guid userId, DateTime? since, CancellationToken ct) =>
        await db.GoldScores.AsNoTracking().Where(s => s.ProjectId == projectId && s.UserId == userId && (since == null || s.ScoredAt > since))
            .OrderBy(s => s.ScoredAt).ThenBy(s => s.Id).Select(s => s.Score).ToListAsync(ct);

    private static Task<Member?> MemberAsync(PortalDbContext db, Guid projectId, Guid userId, CancellationToken ct) =>
        db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId && m.UserId == userId)
            .Select(m => new Member(m.UserId, m.Role, m.Hold, m.HoldReason, m.HoldSince, m.OnboardedAt)).SingleOrDefaultAsync(ct);

    private static Task<Rules> RulesAsync(PortalDbContext db, Guid projectId, CancellationToken ct) =>
        db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new Rules(p.OnboardingGoldTasks, p.OnboardingThreshold, p.AutoPauseWindow, p.AutoPauseThreshold, p.AnonymousAdjudication)).SingleAsync(ct);

    private static void Hold(ProjectMember member, AnnotatorHold hold, string reason, DateTime now)
    {
        member.Hold = hold;
        member.HoldReason = reason;
        member.HoldSince = now;
    }

    private static string Percent(double value) => value.ToString("0 %", CultureInfo.InvariantCulture);
}
