using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Data.Entities;

namespace Portal.Data.Bulk;

/// <summary>
/// Replaces one annotator pair's scored tasks (<see cref="PairScoreSet"/>) in one short transaction, with one prepared
/// insert: a pair of a million-task project shares tens of thousands of tasks, and a transaction per pair keeps the
/// SQLite write lock short for the people labeling meanwhile, while a reader sees the pair's old set or its new one.
/// </summary>
public static class PairScoreWriter
{
    public const string Insert = "INSERT INTO PairTaskScores (SetId, TaskId, Score) VALUES (@s, @t, @v)";

    public static async Task ReplaceAsync(PortalDbContext db, PairScoreSet set, IReadOnlyCollection<(long TaskId, double Score)> scores, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await DeleteAsync(db, await db.PairScoreSets.Where(s => s.ProjectId == set.ProjectId && s.UserA == set.UserA && s.UserB == set.UserB).Select(s => s.Id).ToListAsync(ct), ct);
        set.SharedTasks = scores.Count;
        db.PairScoreSets.Add(set);
        await db.SaveChangesAsync(ct);
        db.Entry(set).State = EntityState.Detached;

        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = tx.GetDbTransaction();
        command.CommandText = Insert;
        foreach (var name in new[] { "@s", "@t", "@v" })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        var p = command.Parameters;
        p[0].Value = set.Id;
        foreach (var (taskId, score) in scores)
        {
            (p[1].Value, p[2].Value) = (taskId, score);
            await command.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Removes the project's sets a run did not write (a pair that no longer shares a submitted task).</summary>
    public static async Task RemoveOlderAsync(PortalDbContext db, Guid projectId, DateTime computedAt, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await DeleteAsync(db, await db.PairScoreSets.Where(s => s.ProjectId == projectId && s.ComputedAt < computedAt).Select(s => s.Id).ToListAsync(ct), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Set by set, so each delete reads its rows by the key's first column instead of scanning every pair's.</summary>
    private static async Task DeleteAsync(PortalDbContext db, List<long> setIds, CancellationToken ct)
    {
        foreach (var id in setIds)
        {
            await db.PairTaskScores.Where(s => s.SetId == id).ExecuteDeleteAsync(ct);
            await db.PairScoreSets.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        }
    }
}
