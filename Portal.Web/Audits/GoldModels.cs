using Portal.Core.Audits;

namespace Portal.Web.Audits;

/// <summary>One line of the "that was a check task" panel: a span or an answer, and whether the other side has it too.</summary>
public sealed record FeedbackLine(string Text, bool Matched);

/// <summary>What an annotator is shown after submitting a gold task, when the project allows it: their score and both answers.</summary>
public sealed record GoldFeedback(long TaskId, double Score, IReadOnlyList<FeedbackLine> Expected, IReadOnlyList<FeedbackLine> Yours);

/// <summary>A gold task as the gold page lists it.</summary>
public sealed record GoldTaskRow(long TaskId, string? ExternalId, string MarkedBy, DateTime MarkedAt, int Scored, double? MeanScore);

/// <summary>The project's gold settings as the gold page shows them (they are edited on the settings page).</summary>
public sealed record GoldSettingsView(
    int GoldTaskRatePercent, bool ShowGoldFeedback, int OnboardingGoldTasks, double OnboardingThreshold, int AutoPauseWindow, double AutoPauseThreshold);

/// <param name="Shown">The newest gold tasks (at most <see cref="GoldService.ListedTasks"/>); <paramref name="Count"/> counts them all.</param>
/// <param name="OnboardingWarning">Set when onboarding is on but cannot work (too few gold tasks), in words for the manager.</param>
public sealed record GoldOverview(int Count, IReadOnlyList<GoldTaskRow> Shown, GoldSettingsView Settings, string? OnboardingWarning);

/// <summary>Where the queue stands for one annotator: open, gold tasks only (onboarding), or held (nothing new).</summary>
public enum QueueGate
{
    Open = 0,
    OnboardingOnly = 1,
    Held = 2,
}

/// <summary>An annotator's hold as they see it on their labeling page.</summary>
public sealed record MyHold(AnnotatorHold Hold, string Reason, DateTime? Since);

/// <summary>
/// One annotator on the gold page: their hold (if any) with its reason, onboarding status in words, recent gold scores
/// (oldest first) and the mean of the last K of them (null when auto-pause is off). <paramref name="CanRetry"/> is false when too few gold tasks they have not done are left for another onboarding round.
/// </summary>
public sealed record PersonStanding(
    Guid UserId, string Name, AnnotatorHold Hold, string? HoldReason, DateTime? HoldSince, string Onboarding, IReadOnlyList<double> RecentScores,
    double? Rolling, bool CanRetry);
