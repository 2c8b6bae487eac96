using System.Text;

namespace Portal.Core.ImportExport;

/// <summary>RFC 4180 cells for every CSV the portal reads or writes, and the spreadsheet formula guard.</summary>
public static class Csv
{
    /// <summary>
    /// Splits one record (which may span lines inside quotes) into cells; doubled quotes are one quote. Returns null
    /// when a quoted cell is not closed.
    /// </summary>
    public static List<string>? SplitRecord(string record)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < record.Length && record[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (c != '\r')
            {
                cell.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        cells.Add(cell.ToString());
        return cells;
    }

    /// <summary>
    /// A cell for a spreadsheet: text that Excel would run as a formula (starting with = + - @, a tab, a carriage
    /// return or a NUL, as OWASP ASVS 1.2.10 lists them) gets a leading apostrophe, and the cell is quoted when it holds a
    /// comma, a quote or a line break.
    /// </summary>
    public static string Cell(string? value)
    {
        value = Defuse(value ?? "");
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    /// <summary>The formula guard alone: a leading apostrophe before text that a spreadsheet would run as a formula.</summary>
    public static string Defuse(string value) => value.Length > 0 && IsFormulaStart(value[0]) ? "'" + value : value;

    /// <summary>
    /// Undoes <see cref="Cell"/>'s formula guard when a portal file comes back, so a round trip is exact: an apostrophe
    /// followed by a formula start is dropped. (A text that itself began with an apostrophe and a formula start loses that
    /// apostrophe on import; README says so.)
    /// </summary>
    public static string Unformula(string value) =>
        value.Length > 1 && value[0] == '\'' && IsFormulaStart(value[1]) ? value[1..] : value;

    private static bool IsFormulaStart(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r' or '\0';
}
