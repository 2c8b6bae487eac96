namespace Portal.Core.Audits;

/// <summary>One task a person pasted: as written, and the line it was on (so an error can point at it).</summary>
public readonly record struct TaskReference(int Line, string Text);

/// <summary>
/// Task ids or external ids pasted by a person: one per line or separated by commas (also semicolons and tabs, which
/// spreadsheets paste). Blank entries are dropped; a repeated entry is kept once.
/// </summary>
public static class TaskReferences
{
    private static readonly char[] Separators = [',', ';', '\t'];

    public static IReadOnlyList<TaskReference> Parse(string? text)
    {
        var references = new List<TaskReference>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = (text ?? "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var part in lines[i].Split(Separators))
            {
                var value = part.Trim().Trim('"').Trim();
                if (value.Length > 0 && seen.Add(value))
                {
                    references.Add(new TaskReference(i + 1, value));
                }
            }
        }

        return references;
    }
}
