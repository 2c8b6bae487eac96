namespace Portal.Core.Drift;

public enum DriftKind
{
    TaxonomyChange = 1,
    LabelDistributionShift = 2,
    AgreementDrop = 3,
    GoldAccuracyDrop = 4,
    Age = 5,
    IntraAnnotatorConsistency = 6,
}
