using Portal.Core.Agreement;
using Portal.Core.ImportExport;
using Portal.Core.Taxonomy;

namespace Portal.Web.Common;

/// <summary>One reading of errors for HTTP answers and pages: which are the caller's (with a status) and which are faults.</summary>
public static class ErrorMessages
{
    /// <summary>The HTTP status for an error the caller can act on; null for a fault.</summary>
    public static int? StatusOf(Exception exception) => exception switch
    {
        NotFoundException => StatusCodes.Status404NotFound,
        ForbiddenException => StatusCodes.Status403Forbidden,
        ConflictException => StatusCodes.Status409Conflict,
        ValidationException or DataFormatException or TaxonomyEditException or AgreementInputException => StatusCodes.Status400BadRequest,
        _ => null,
    };

    public static string TitleOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status403Forbidden => "Not allowed",
        StatusCodes.Status409Conflict => "Changed meanwhile",
        StatusCodes.Status400BadRequest => "Check the input",
        _ => "Something went wrong",
    };

    /// <summary>What a page shows a person for an error the caller can act on; null for a fault (the page then shows a reference for support).</summary>
    public static string? ForPage(Exception exception) => StatusOf(exception) switch
    {
        StatusCodes.Status404NotFound => "This page shows something that was not found, or that is outside your projects.",
        null => null,
        _ => exception.Message,
    };
}
