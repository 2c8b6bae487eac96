using Portal.Core.Projects;
using Portal.Core.Security;

namespace Portal.Data.Entities;

public sealed class Project : IVersioned
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedById { get; set; }
    public bool IsArchived { get; set; }

    public int AnnotatorsPerTask { get; set; } = 2;
    public int CoveragePercent { get; set; } = 100;
    public ReviewPolicy ReviewPolicy { get; set; } = ReviewPolicy.LowAgreementOnly;
    public int ReviewSamplePercent { get; set; } = 10;
    public int GoldTaskRatePercent { get; set; }
    public double AgreementThreshold { get; set; } = 0.8;
    public int MaxExtraAnnotators { get; set; } = 1;
    public double ConsensusVoteThreshold { get; set; } = 0.51;
    public bool AnonymousAdjudication { get; set; }
    public int AuditRatePercent { get; set; } = 5;
    public int ReservationMinutes { get; set; } = 30;
    public int? RelabelAgeDays { get; set; }

    public int Version { get; set; }

    public List<ProjectMember> Members { get; set; } = [];
    public Taxonomy? Taxonomy { get; set; }

    public ProjectSettings Settings => new()
    {
        AnnotatorsPerTask = AnnotatorsPerTask,
        CoveragePercent = CoveragePercent,
        ReviewPolicy = ReviewPolicy,
        ReviewSamplePercent = ReviewSamplePercent,
        GoldTaskRatePercent = GoldTaskRatePercent,
        AgreementThreshold = AgreementThreshold,
        MaxExtraAnnotators = MaxExtraAnnotators,
        ConsensusVoteThreshold = ConsensusVoteThreshold,
        AnonymousAdjudication = AnonymousAdjudication,
        AuditRatePercent = AuditRatePercent,
        ReservationMinutes = ReservationMinutes,
        RelabelAgeDays = RelabelAgeDays,
    };

    public void Apply(ProjectSettings s)
    {
        AnnotatorsPerTask = s.AnnotatorsPerTask;
        CoveragePercent = s.CoveragePercent;
        ReviewPolicy = s.ReviewPolicy;
        ReviewSamplePercent = s.ReviewSamplePercent;
        GoldTaskRatePercent = s.GoldTaskRatePercent;
        AgreementThreshold = s.AgreementThreshold;
        MaxExtraAnnotators = s.MaxExtraAnnotators;
        ConsensusVoteThreshold = s.ConsensusVoteThreshold;
        AnonymousAdjudication = s.AnonymousAdjudication;
        AuditRatePercent = s.AuditRatePercent;
        ReservationMinutes = s.ReservationMinutes;
        RelabelAgeDays = s.RelabelAgeDays;
    }
}

public sealed class ProjectMember
{
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    public ProjectRole Role { get; set; }
    public DateTime AddedAt { get; set; }

    public Project? Project { get; set; }
    public User? User { get; set; }
}

/// <summary>Annotator guidelines and reviewer instructions, versioned; a new edit is a new row.</summary>
public sealed class GuidelineVersion
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public int Number { get; set; }
    public required string Markdown { get; set; }
    public string? ReviewerInstructions { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid CreatedById { get; set; }
}
