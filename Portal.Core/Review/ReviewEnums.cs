namespace Portal.Core.Review;

public enum ReviewDecision
{
    Accept = 1,
    FixAndAccept = 2,
    Reject = 3,
}

/// <summary>Steps of a task's provenance, from completion to ground truth.</summary>
public enum TaskEventKind
{
    ConsensusReached = 1,
    AnnotatorAdded = 2,
    SentToAdjudication = 3,
    Adjudicated = 4,
    ConsensusUpdated = 5,
    Audited = 6,
    SentBackByAudit = 7,
    MarkedGold = 8,
}

/// <summary>Who or what produced a task's ground truth.</summary>
public enum GroundTruthSource
{
    Consensus = 1,
    Review = 2,
    Adjudication = 3,
    Imported = 4,
}
