namespace Portal.Data.Entities;

/// <summary>
/// An entity with an app-managed optimistic concurrency token (SQLite has no rowversion): the context
/// bumps <see cref="Version"/> on every update, and an update from a stale copy fails.
/// </summary>
public interface IVersioned
{
    int Version { get; set; }
}
