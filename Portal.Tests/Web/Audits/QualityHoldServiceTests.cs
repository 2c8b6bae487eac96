using Microsoft.EntityFrameworkCore;
using Portal.Core.Audits;
using Portal.Core.Labeling;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Audits;

/// <summary>Onboarding and auto-pause on real SQLite: who gets what from the queue, and the QA lead's decisions.</summary>
public class QualityHoldServiceTests
{
    private static async Task<bool> IsGoldAsync(GoldSetup setup, long? taskId)
    {
        await using var db = await setup.Database.ContextAsync();
        return await db.Tasks.Where(t => t.Id == taskId).Select(t => t.IsGold).SingleAsync();
    }

    [Fact]
    public async Task Onboarding_ServesOnlyGoldTasks_ThenPassesAtTheThreshold()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 6, gold: 3, annotators: 1, p => (p.OnboardingGoldTasks, p.OnboardingThreshold) = (2, 0.8));
        var annotator = setup.People[0];

        Assert.True(await IsGoldAsync(setup, await setup.LabelNextAsync(annotator, good: true)));
        Assert.Null((await setup.MemberAsync(annotator)).OnboardedAt);
        Assert.True(await IsGoldAsync(setup, await setup.LabelNextAsync(annotator, good: true)));

        Assert.NotNull((await setup.MemberAsync(annotator)).OnboardedAt);
        Assert.True(await setup.LoggedAsync("member.onboarding-passed", annotator));
        // Onboarded: real tasks from now on (the project mixes in no gold at rate 0 while real ones are left).
        Assert.False(await IsGoldAsync(setup, await setup.LabelNextAsync(annotator, good: true)));
    }

    [Fact]
    public async Task Onboarding_BelowTheThreshold_HoldsTheAnnotator_UntilTheQaLeadLetsThemStart()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 5, gold: 2, annotators: 1, p => (p.OnboardingGoldTasks, p.OnboardingThreshold) = (2, 0.8));
        var annotator = setup.People[0];
        await setup.LabelNextAsync(annotator, good: true);
        await setup.LabelNextAsync(annotator, good: false);

        var member = await setup.MemberAsync(annotator);
        Assert.Equal(AnnotatorHold.OnboardingFailed, member.Hold);
        Assert.Equal("Onboarding: scored 50 % on 2 onboarding tasks; needs 80 %.", member.HoldReason);
        Assert.True(await setup.LoggedAsync("member.onboarding-failed", annotator));
        Assert.Null(await setup.Labeling.NextAsync(annotator, setup.ProjectId, default));
        Assert.Equal(member.HoldReason, (await setup.Holds.MyHoldAsync(annotator, setup.ProjectId, default))!.Reason);
        var seen = Assert.Single(await setup.Holds.PeopleAsync(GoldSetup.Lead, setup.ProjectId, default));
        Assert.Equal((AnnotatorHold.OnboardingFailed, false), (seen.Hold, seen.CanRetry));
        Assert.Equal([1.0, 0.0], seen.RecentScores);
        // Nobody but a QA lead decides, and only on the hold the person is in.
        await Assert.ThrowsAsync<ForbiddenException>(() => setup.Holds.LetStartAsync(annotator, setup.ProjectId, annotator.UserId, default));
        await Assert.ThrowsAsync<ConflictException>(() => setup.Holds.ResumeAsync(GoldSetup.Lead, setup.ProjectId, annotator.UserId, default));
        await Assert.ThrowsAsync<ConflictException>(() => setup.Holds.RetryOnboardingAsync(GoldSetup.Lead, setup.ProjectId, annotator.UserId, default));

        await setup.Holds.LetStartAsync(GoldSetup.Lead, setup.ProjectId, annotator.UserId, default);

        member = await setup.MemberAsync(annotator);
        Assert.Equal((AnnotatorHold.None, (string?)null), (member.Hold, member.HoldReason));
        Assert.NotNull(member.OnboardedAt);
        Assert.True(await setup.LoggedAsync("member.let-start", annotator));
        Assert.False(await IsGoldAsync(setup, await setup.LabelNextAsync(annotator, good: true)));
        Assert.Null(await setup.Holds.MyHoldAsync(annotator, setup.ProjectId, default));
    }

    [Fact]
    public async Task RetryOnboarding_CountsOnlyTheNewRound_OnGoldTasksNotDoneYet()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 6, gold: 4, annotators: 1, p => (p.OnboardingGoldTasks, p.OnboardingThreshold) = (2, 0.8));
        var annotator = setup.People[0];
        var firstRound = new[] { await setup.LabelNextAsync(annotator, good: false), await setup.LabelNextAsync(annotator, good: false) };
        Assert.Equal(AnnotatorHold.OnboardingFailed, (await setup.MemberAsync(annotator)).Hold);
        Assert.True(Assert.Single(await setup.Holds.PeopleAsync(GoldSetup.Lead, setup.ProjectId, default)).CanRetry);

        await setup.Holds.RetryOnboardingAsync(GoldSetup.Lead, setup.ProjectId, annotator.UserId, default);

        var secondRound = new[] { await setup.LabelNextAsync(annotator, good: true), await setup.LabelNextAsync(annotator, good: true) };
        Assert.All(secondRound, id => Assert.DoesNotContain(id, firstRound));
        Assert.True(await IsGoldAsync(setup, secondRound[0]) && await IsGoldAsync(setup, secondRound[1]));
        // Two good scores after the retry pass, although the mean of all four (50 %) would not.
        var member = await setup.MemberAsync(annotator);
        Assert.Equal(AnnotatorHold.None, member.Hold);
        Assert.NotNull(member.OnboardedAt);
    }

    [Fact]
    public async Task Onboarding_TooFewGoldTasks_OrWorkBeforeItWasOn_LocksNobodyOut()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 4, gold: 1, annotators: 2, p => (p.OnboardingGoldTasks, p.OnboardingThreshold) = (3, 0.8));

        // One gold task for an onboarding of three: people label normally, and the gold page says why.
        Assert.False(await IsGoldAsync(setup, await setup.LabelNextAsync(setup.People[0], good: true)));
        Assert.Contains("asks for 3 gold tasks but the project has 1", (await setup.Gold.OverviewAsync(GoldSetup.Lead, setup.ProjectId, default)).OnboardingWarning,
            StringComparison.Ordinal);

        // Enough gold tasks now: the person who already labeled counts as onboarded; the new one onboards.
        await using (var db = await database.ContextAsync())
        {
            (await db.Projects.SingleAsync(p => p.Id == setup.ProjectId)).OnboardingGoldTasks = 1;
            await db.SaveChangesAsync();
        }

        Assert.False(await IsGoldAsync(setup, await setup.LabelNextAsync(setup.People[0], good: true)));
        Assert.NotNull((await setup.MemberAsync(setup.People[0])).OnboardedAt);
        Assert.True(await IsGoldAsync(setup, await setup.LabelNextAsync(setup.People[1], good: true)));
    }

    [Fact]
    public async Task AutoPause_NotBeforeKScores_ThenBelowTheThreshold_HoldsNewWork_ButNotHeldOrRejectedWork()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 10, gold: 6, annotators: 1,
            p => (p.GoldTaskRatePercent, p.AutoPauseWindow, p.AutoPauseThreshold) = (100, 3, 0.6));
        var annotator = setup.People[0];
        await setup.LabelNextAsync(annotator, good: true);
        await setup.LabelNextAsync(annotator, good: false);
        Assert.Equal(AnnotatorHold.None, (await setup.MemberAsync(annotator)).Hold);
        // Mean of 1, 0, 1 is 67 % ≥ 60 %: not paused at exactly three scores above the threshold.
        await setup.LabelNextAsync(annotator, good: true);
        Assert.Equal(AnnotatorHold.None, (await setup.MemberAsync(annotator)).Hold);
        var last = await setup.LabelNextAsync(annotator, good: false);

        var member = await setup.MemberAsync(annotator);
        Assert.Equal(AnnotatorHold.Paused, member.Hold);
        Assert.Equal("Gold score 33 % over the last 3 check tasks; needs 60 %.", member.HoldReason);
        Assert.True(await setup.LoggedAsync("member.pause", annotator));
        Assert.Null(await setup.Labeling.NextAsync(annotator, setup.ProjectId, default));

        // Still theirs: a task they hold, and work a reviewer sent back.
        await using (var db = await database.ContextAsync())
        {
            var free = await db.Tasks.Where(t => !t.IsGold).Select(t => t.Id).FirstAsync();
            db.Reservations.Add(new Reservation { ProjectId = setup.ProjectId, TaskId = free, UserId = annotator.UserId, ReservedAt = DateTime.UtcNow, ExpiresAt = DateTime.UtcNow.AddHours(1) });
            await db.SaveChangesAsync();
            Assert.Equal(free, (await setup.Labeling.NextAsync(annotator, setup.ProjectId, default))!.TaskId);
            await db.Reservations.ExecuteDeleteAsync();
            await db.Annotations.Where(a => a.TaskId == last).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AnnotationStatus.Rejected));
        }

        Assert.Equal(last, (await setup.Labeling.NextAsync(annotator, setup.ProjectId, default))!.TaskId);
    }

    [Fact]
    public async Task Resume_GivesTasksAgain_AndRestartsTheRollingWindow()
    {
        await using var database = await TestDatabase.CreateAsync();
        var setup = await GoldSetup.CreateAsync(database, tasks: 10, gold: 8, annotators: 1,
            p => (p.GoldTaskRatePercent, p.AutoPauseWindow, p.AutoPauseThreshold) = (100, 2, 0.6));
        var annotator = setup.People[0];
        await setup.LabelNextAsync(annotator, good: false);
        await setup.LabelNextAsync(annotator, good: false);
        Assert.Equal(AnnotatorHold.Paused, (await setup.MemberAsync(annotator)).Hold);
        await Assert.ThrowsAsync<ForbiddenException>(() => setup.Holds.ResumeAsync(annotator, setup.ProjectId, annotator.UserId, default));
        await Assert.ThrowsAsync<ForbiddenException>(() => setup.Holds.PeopleAsync(annotator, setup.ProjectId, default));

        await setup.Holds.ResumeAsync(GoldSetup.Lead, setup.ProjectId, annotator.UserId, default);

        Assert.True(await setup.LoggedAsync("member.resume", annotator));
        // One more bad score: with the two old ones it would be a bad window, but the window restarted at the resume.
        Assert.NotNull(await setup.LabelNextAsync(annotator, good: false));
        Assert.Equal(AnnotatorHold.None, (await setup.MemberAsync(annotator)).Hold);
        Assert.NotNull(await setup.LabelNextAsync(annotator, good: false));
        Assert.Equal(AnnotatorHold.Paused, (await setup.MemberAsync(annotator)).Hold);
    }
}
