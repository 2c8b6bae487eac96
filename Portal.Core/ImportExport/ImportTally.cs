namespace Portal.Core.ImportExport;

/// <summary>
/// What a Label Studio import did with every annotation and region it read: imported (kept as they were), converted
/// (kept, with a change of form such as code-point offsets), or not imported, each with its reason. Counted per row and added to the import's total only when the row is accepted.
/// </summary>
public sealed class ImportTally
{
    private readonly Dictionary<string, long> converted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> notImported = new(StringComparer.Ordinal);

    public long AnnotationsRead { get; set; }

    public long AnnotationsImported { get; set; }

    public long PredictionsRead { get; set; }

    public long PredictionsImported { get; set; }

    public long RegionsRead { get; set; }

    public long RegionsImported { get; set; }

    /// <summary>Results Portal does not model (relations, free text, …), kept verbatim so they go back out on export.</summary>
    public long RegionsKeptVerbatim { get; set; }

    /// <summary>Annotations (and ground truths) a re-import added to tasks the project already had.</summary>
    public long AnnotationsAddedToExistingTasks { get; set; }

    /// <summary>Tasks already in the project that a re-import added annotations, a ground truth or predictions to.</summary>
    public long ExistingTasksAddedTo { get; set; }

    public bool Any => AnnotationsRead + PredictionsRead + RegionsRead > 0 || converted.Count + notImported.Count > 0;

    public void Converted(string what, long count = 1) => converted[what] = converted.GetValueOrDefault(what) + count;

    public void NotImported(string why, long count = 1) => notImported[why] = notImported.GetValueOrDefault(why) + count;

    public void Add(ImportTally other)
    {
        AnnotationsRead += other.AnnotationsRead;
        AnnotationsImported += other.AnnotationsImported;
        PredictionsRead += other.PredictionsRead;
        PredictionsImported += other.PredictionsImported;
        RegionsRead += other.RegionsRead;
        RegionsImported += other.RegionsImported;
        RegionsKeptVerbatim += other.RegionsKeptVerbatim;
        AnnotationsAddedToExistingTasks += other.AnnotationsAddedToExistingTasks;
        ExistingTasksAddedTo += other.ExistingTasksAddedTo;
        foreach (var (what, count) in other.converted)
        {
            Converted(what, count);
        }

        foreach (var (why, count) in other.notImported)
        {
            NotImported(why, count);
        }
    }

    public MigrationSummary ToSummary() => new(
        AnnotationsRead, AnnotationsImported, PredictionsRead, PredictionsImported, RegionsRead, RegionsImported, RegionsKeptVerbatim,
        [.. converted.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new MigrationLine(c.Key, c.Value))],
        [.. notImported.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new MigrationLine(c.Key, c.Value))])
    {
        AnnotationsAddedToExistingTasks = AnnotationsAddedToExistingTasks, ExistingTasksAddedTo = ExistingTasksAddedTo,
    };
}

public sealed record MigrationLine(string What, long Count);

/// <summary>An import's "kept / converted / not representable" account, as the page and the CLI show it.</summary>
public sealed record MigrationSummary(
    long AnnotationsRead, long AnnotationsImported, long PredictionsRead, long PredictionsImported,
    long RegionsRead, long RegionsImported, long RegionsKeptVerbatim, IReadOnlyList<MigrationLine> Converted, IReadOnlyList<MigrationLine> NotImported)
{
    /// <summary>Of <see cref="AnnotationsImported"/>, those a re-import added to tasks the project already had.</summary>
    public long AnnotationsAddedToExistingTasks { get; init; }

    public long ExistingTasksAddedTo { get; init; }

    public bool Any => AnnotationsRead + PredictionsRead + RegionsRead > 0 || Converted.Count + NotImported.Count > 0;

    /// <summary>Three plain lines: kept, converted, not representable.</summary>
    public IReadOnlyList<string> Lines() =>
    [
        $"Kept: {AnnotationsImported:N0} of {AnnotationsRead:N0} annotation(s) imported" +
        (ExistingTasksAddedTo == 0 ? "; " : $" ({AnnotationsAddedToExistingTasks:N0} of them added to {ExistingTasksAddedTo:N0} task(s) already in the project); ") +
        $"{PredictionsImported:N0} of {PredictionsRead:N0} prediction(s); {RegionsImported:N0} of {RegionsRead:N0} region(s) as Portal results, " +
        $"{RegionsKeptVerbatim:N0} kept as written for export.",
        "Converted: " + (Converted.Count == 0 ? "nothing." : string.Join("; ", Converted.Select(c => $"{c.Count:N0} {c.What}")) + "."),
        "Not representable: " + (NotImported.Count == 0 ? "nothing." : string.Join("; ", NotImported.Select(c => $"{c.Count:N0} {c.What}")) + "."),
    ];
}
