namespace Portal.Core.Audits;

public static class GoldTasks
{
    /// <summary>
    /// The overlap target of a gold task. A gold task is served to every annotator once, however many there are: the queue
    /// never gives a user a task they annotated or hold, so a bound above any project's head count keeps the task claimable
    /// without a second path in the claim. Consensus waits for the target, so it never runs on a gold task either.
    /// </summary>
    public const int Target = 1_000_000;
}
