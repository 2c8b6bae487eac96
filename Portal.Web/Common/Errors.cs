namespace Portal.Web.Common;

/// <summary>
/// An error the caller can act on, as opposed to a fault. Every feature throws these; pages show their message and
/// HTTP answers them as RFC 9457 problem details (<see cref="ProblemDetailsExceptionHandler"/>).
/// </summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>The object does not exist, or exists outside the caller's projects: both look the same.</summary>
public sealed class NotFoundException(string what) : DomainException($"{what} was not found.");

/// <summary>The caller may see the object but not do this with it.</summary>
public sealed class ForbiddenException(string message) : DomainException(message);

/// <summary>Someone else changed the same thing meanwhile (another tab, a reviewer); nothing was overwritten.</summary>
public sealed class ConflictException(string message) : DomainException(message);

/// <summary>A request that breaks rules; each error names the field it is about.</summary>
public sealed class ValidationException(IReadOnlyList<(string Field, string Message)> errors)
    : DomainException(string.Join(" ", errors.Select(e => e.Message)))
{
    public ValidationException(string field, string message)
        : this([(field, message)])
    {
    }

    public IReadOnlyList<(string Field, string Message)> Errors { get; } = errors;
}
