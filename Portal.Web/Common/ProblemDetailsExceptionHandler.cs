using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Web.Common;

/// <summary>
/// Answers domain errors on HTTP endpoints as RFC 9457 problem details (404, 409, 400 with the fields; a refusal goes to
/// the sign-in scheme, which shows the access-denied page or answers 403), logged at
/// Information: they are the caller's business, not faults. Anything else falls through to the generic error page.
/// </summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        if (ErrorMessages.StatusOf(exception) is not { } status)
        {
            return false;
        }

        logger.LogInformation("{Method} {Path} answered {Status}: {Message}", http.Request.Method, http.Request.Path, status, exception.Message);
        if (exception is ForbiddenException)
        {
            // The sign-in scheme answers a refusal its own way: the cookie with the portal's access-denied page, a bearer token with 403.
            await http.ForbidAsync();
            return true;
        }

        http.Response.StatusCode = status;
        var details = new ProblemDetails
        {
            Status = status,
            Title = ErrorMessages.TitleOf(status),
            // An object outside the caller's projects is answered exactly like a missing one: no detail to tell them apart.
            Detail = exception is NotFoundException ? null : exception.Message,
            Instance = http.Request.Path,
        };
        if (exception is ValidationException validation)
        {
            details.Extensions["errors"] = validation.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }
}
