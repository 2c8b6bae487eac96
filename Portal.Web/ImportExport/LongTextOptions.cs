using Microsoft.Extensions.Options;

namespace Portal.Web.ImportExport;

/// <summary>When an import warns that tasks are long (<c>Portal:Import:LongTextWarning</c>, in characters).</summary>
public sealed class LongTextOptions
{
    public const string Section = "Portal:Import";

    /// <summary>
    /// Tasks longer than this are imported but counted in the import's summary: they open in a scrollable pane and
    /// are slow to label, so whoever imported them should know (and may split them).
    /// </summary>
    public int LongTextWarning { get; set; } = 50_000;
}

/// <summary>A bad setting stops the portal at start, saying which and why, instead of warning about every task.</summary>
internal sealed class LongTextOptionsValidation : IValidateOptions<LongTextOptions>
{
    public ValidateOptionsResult Validate(string? name, LongTextOptions options) =>
        options.LongTextWarning is >= 100 and <= 100_000_000
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{LongTextOptions.Section}:LongTextWarning is {options.LongTextWarning}: give a number of characters from 100 to 100,000,000.");
}
