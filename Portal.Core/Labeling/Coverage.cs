using System.Globalization;

namespace Portal.Core.Labeling;

/// <summary>
/// Overlap with coverage: <c>coveragePercent</c> of the tasks get <c>annotatorsPerTask</c> annotators, the rest one.
/// Which tasks is decided by the content hash, so the choice is stable across imports and reruns and does not
/// depend on import order; gold tasks always get full overlap (they measure everyone).
/// </summary>
public static class Coverage
{
    public static int TargetAnnotations(string contentHash, int annotatorsPerTask, int coveragePercent, bool isGold = false)
    {
        if (isGold || coveragePercent >= 100 || annotatorsPerTask <= 1)
        {
            return Math.Max(1, annotatorsPerTask);
        }

        // The first 8 hex digits of a SHA-256 are uniform: a stable bucket in 0..99.
        var bucket = uint.Parse(contentHash.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture) % 100;
        return bucket < coveragePercent ? annotatorsPerTask : 1;
    }
}
