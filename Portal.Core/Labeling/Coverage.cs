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

        return Bucket(contentHash) < coveragePercent ? annotatorsPerTask : 1;
    }

    /// <summary>A stable bucket in 0..99: the first 8 hex digits of a SHA-256 are uniform.</summary>
    public static uint Bucket(string sha256Hex) =>
        uint.Parse(sha256Hex.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture) % 100;
}
