using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Data.Entities;
using Portal.Tests.TestSupport;
using Portal.Web.Jobs;

namespace Portal.Tests.Web.Jobs;

public class ExpireReservationsJobTests
{
    [Fact]
    public async Task RunAsync_ReleasesOnlyExpiredReservations_AndARerunChangesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var now = new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);
        long taskId;
        await using (var db = await database.ContextAsync())
        {
            var users = Enumerable.Range(0, 3).Select(i => new User { Id = Guid.NewGuid(), ExternalId = $"u{i}", Email = "e", DisplayName = "d", CreatedAt = now }).ToList();
            var project = new Project { Id = Guid.NewGuid(), Name = "P", CreatedAt = now, CreatedById = users[0].Id };
            db.AddRange(users);
            db.Add(project);
            var task = new LabelingTask { ProjectId = project.Id, Text = "t", ContentHash = "h", CreatedAt = now, TargetAnnotations = 3, AssignedCount = 3 };
            db.Add(task);
            await db.SaveChangesAsync();
            taskId = task.Id;
            db.Reservations.AddRange(
                new Reservation { ProjectId = project.Id, TaskId = task.Id, UserId = users[0].Id, ReservedAt = now.AddHours(-2), ExpiresAt = now.AddHours(-1) },
                new Reservation { ProjectId = project.Id, TaskId = task.Id, UserId = users[1].Id, ReservedAt = now.AddMinutes(-40), ExpiresAt = now.AddMinutes(-10) },
                new Reservation { ProjectId = project.Id, TaskId = task.Id, UserId = users[2].Id, ReservedAt = now, ExpiresAt = now.AddMinutes(30) });
            await db.SaveChangesAsync();
        }

        var job = new ExpireReservationsJob(database.Factory, new FakeTimeProvider(now), NullLogger<ExpireReservationsJob>.Instance);
        await job.RunAsync(CancellationToken.None);
        await job.RunAsync(CancellationToken.None);

        await using var check = await database.ContextAsync();
        Assert.Equal(1, await check.Reservations.CountAsync());
        Assert.Equal(1, (await check.Tasks.SingleAsync(t => t.Id == taskId)).AssignedCount);
    }
}
