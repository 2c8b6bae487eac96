namespace Portal.Web.Dashboard;

/// <summary>
/// A snapshot key read back into its slice, as <see cref="Agreement.AgreementSnapshotJob"/> writes them:
/// "control:NAME", "control:NAME|label:LABELKEY", "control:NAME|pair:USERID|USERID".
/// </summary>
public readonly record struct SnapshotKey(string Control, string? Label, Guid? PairA, Guid? PairB)
{
    public const string ControlPrefix = "control:";

    public static SnapshotKey? Parse(string key)
    {
        if (!key.StartsWith(ControlPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = key[ControlPrefix.Length..].Split('|');
        return parts switch
        {
            [var control] => new SnapshotKey(control, null, null, null),
            [var control, var label] when label.StartsWith("label:", StringComparison.Ordinal) => new SnapshotKey(control, label["label:".Length..], null, null),
            [var control, var a, var b] when a.StartsWith("pair:", StringComparison.Ordinal) && Guid.TryParse(a["pair:".Length..], out var first) && Guid.TryParse(b, out var second)
                => new SnapshotKey(control, null, first, second),
            _ => null,
        };
    }
}
