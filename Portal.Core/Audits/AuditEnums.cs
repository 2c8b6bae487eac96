namespace Portal.Core.Audits;

public enum AuditErrorType
{
    None = 0,
    WrongLabel = 1,
    Boundary = 2,
    MissedSpan = 3,
    SpuriousSpan = 4,
    GuidelineGap = 5,
}
