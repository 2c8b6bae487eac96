using Portal.Core.Audits;
using Portal.Web.Audits;

namespace Portal.Web.Components.Audits;

/// <summary>The quality settings as the form edits them: shares in percent, the way a manager thinks of them.</summary>
public sealed class QualityForm
{
    public AuditSizing AuditSizing { get; set; }
    public double MarginPercent { get; set; }
    public double ConfidencePercent { get; set; }
    public int MinPerStratum { get; set; }
    public int AuditRatePercent { get; set; }
    public int GoldTaskRatePercent { get; set; }
    public bool ShowGoldFeedback { get; set; }
    public int OnboardingGoldTasks { get; set; }
    public double OnboardingPercent { get; set; }
    public int AutoPauseWindow { get; set; }
    public double AutoPausePercent { get; set; }

    public static QualityForm From(QualitySettings s) => new()
    {
        AuditSizing = s.AuditSizing, MarginPercent = Math.Round(s.AuditMarginOfError * 100, 2), ConfidencePercent = Math.Round(s.AuditConfidence * 100, 2),
        MinPerStratum = s.AuditMinPerStratum, AuditRatePercent = s.AuditRatePercent, GoldTaskRatePercent = s.GoldTaskRatePercent,
        ShowGoldFeedback = s.ShowGoldFeedback, OnboardingGoldTasks = s.OnboardingGoldTasks, OnboardingPercent = Math.Round(s.OnboardingThreshold * 100, 2),
        AutoPauseWindow = s.AutoPauseWindow, AutoPausePercent = Math.Round(s.AutoPauseThreshold * 100, 2),
    };

    public QualitySettings ToSettings(int version) => new(
        AuditSizing, MarginPercent / 100, ConfidencePercent / 100, MinPerStratum, AuditRatePercent, GoldTaskRatePercent, ShowGoldFeedback,
        OnboardingGoldTasks, OnboardingPercent / 100, AutoPauseWindow, AutoPausePercent / 100, version);
}
