using Portal.Core.Reports;

namespace Portal.Web.Reports;

/// <summary>
/// Writes a report workbook in three steps: ClosedXML for the small formatted sheets (and placeholders of the detail
/// sheets), the Open XML SDK for native charts and the detail tables, then one pass that copies the package and streams the
/// detail rows (over <see cref="SheetSplit.MaxDataRows"/> rows continue on "Detail (2)", …). Pure: no database, no clock.
/// </summary>
public static class WorkbookWriter
{
    public static async Task WriteAsync(WorkbookSpec spec, Stream output, IProgress<long>? progress, CancellationToken ct) =>
        await WriteAsync(spec, output, progress, SheetSplit.MaxDataRows, ct);

    /// <summary>With a smaller sheet size, so tests can see a split without a million rows.</summary>
    internal static async Task WriteAsync(WorkbookSpec spec, Stream output, IProgress<long>? progress, int maxDataRows, CancellationToken ct)
    {
        var parts = spec.Detail is { } detail ? SheetSplit.Split(detail.Name, detail.TableName, detail.Count, maxDataRows) : [];
        using var formatted = new MemoryStream();
        var places = FormattedSheets.Write(spec, parts, formatted);
        var placeholders = WorkbookParts.Complete(formatted, spec, places, parts);
        await WorkbookAssembler.WriteAsync(formatted, placeholders, spec.Detail, output, progress, ct);
    }
}
