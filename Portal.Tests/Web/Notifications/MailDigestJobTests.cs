using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Tests.TestSupport;
using Portal.Web.Notifications;

namespace Portal.Tests.Web.Notifications;

/// <summary>The nightly digest end to end: real SQLite, MailKit, and a real SMTP server on 127.0.0.1.</summary>
public class MailDigestJobTests
{
    private const string BaseUrl = "https://portal.example.test/";

    [Fact]
    public async Task Digest_GoesOnceToEachLeadWithAnAddress_WithEncodedValues_AndARerunSendsNothing()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database, "Support <b>&</b> billing");
        var notifications = database.Get<NotificationService>();
        await notifications.NotifyProjectLeadsAsync(f.ProjectId, "k1", "Label <script>alert(1)</script> shifted", "Annotator \"A\" & 12 items", "/projects/x/drift#finding-1", default);
        await notifications.NotifyProjectLeadsAsync(f.ProjectId, "k2", "Agreement dropped", null, null, default);
        await using (var db = await database.ContextAsync())
        {
            // The manager has no usable address: skipped, and theirs stay unsent.
            (await db.Users.SingleAsync(u => u.Id == f.Manager.UserId)).Email = "";
            await db.SaveChangesAsync();
        }

        var job = Job(database, smtp.Port);
        var outcome = await job.SendAsync(default);
        var mail = await smtp.NextAsync();

        Assert.Equal(new DigestOutcome(Sent: 1, Failed: 0, Skipped: 1, Notifications: 2), outcome);
        Assert.Equal(["lea@example.test"], mail.To);
        Assert.Equal("portal@example.test", mail.From);
        Assert.Equal("Portal: 2 new notifications in Support <b>&</b> billing", mail.Subject);
        Assert.Contains("Label <script>alert(1)</script> shifted", mail.Text, StringComparison.Ordinal);
        Assert.Contains("https://portal.example.test/projects/x/drift#finding-1", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>&", mail.Html, StringComparison.Ordinal);
        Assert.Contains("Label &lt;script&gt;alert(1)&lt;/script&gt; shifted", mail.Html, StringComparison.Ordinal);
        Assert.Contains("Support &lt;b&gt;&amp;&lt;/b&gt; billing", mail.Html, StringComparison.Ordinal);
        Assert.Contains("Annotator &quot;A&quot; &amp; 12 items", mail.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://portal.example.test/projects/x/drift#finding-1\"", mail.Html, StringComparison.Ordinal);
        await using (var db = await database.ContextAsync())
        {
            Assert.Equal(2, await db.Notifications.CountAsync(n => n.UserId == f.Lead.UserId && n.EmailedAt != null));
            Assert.Equal(2, await db.Notifications.CountAsync(n => n.UserId == f.Manager.UserId && n.EmailedAt == null));
        }

        var rerun = await job.SendAsync(default);
        await notifications.NotifyProjectLeadsAsync(f.ProjectId, "k3", "Gold score dropped", null, null, default);
        await job.SendAsync(default);
        var next = await smtp.NextAsync();

        Assert.Equal(new DigestOutcome(0, 0, 1, 0), rerun);
        // Messages arrive in order: the next one is the new night's, so the rerun sent nothing to the server.
        Assert.Equal("Portal: 1 new notification in Support <b>&</b> billing", next.Subject);
        Assert.DoesNotContain("Agreement dropped", next.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digest_WhenTheSmtpServerIsDown_MarksNothing_AndTheJobFailsForARetry()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        await database.Get<NotificationService>().NotifyProjectLeadsAsync(f.ProjectId, "k1", "Agreement dropped", null, null, default);
        var job = Job(database, ClosedPort());

        var outcome = await job.SendAsync(default);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync(default));

        Assert.Equal(new DigestOutcome(0, 2, 0, 0), outcome);
        Assert.Contains("2 of 2 people", error.Message, StringComparison.Ordinal);
        await using var db = await database.ContextAsync();
        Assert.Equal(0, await db.Notifications.CountAsync(n => n.EmailedAt != null));
    }

    [Fact]
    public async Task Digest_WithoutAMailHost_SendsAndMarksNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        await database.Get<NotificationService>().NotifyProjectLeadsAsync(f.ProjectId, "k1", "Agreement dropped", null, null, default);
        var job = new MailDigestJob(database.Factory, Options.Create(new MailOptions()), TimeProvider.System, NullLogger<MailDigestJob>.Instance);

        Assert.Equal(new DigestOutcome(0, 0, 0, 0), await job.SendAsync(default));
        await job.RunAsync(default);

        await using var db = await database.ContextAsync();
        Assert.Equal(0, await db.Notifications.CountAsync(n => n.EmailedAt != null));
    }

    [Fact]
    public async Task Digest_LeavesOutNotificationsOlderThanTheBacklogWindow()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        var f = await NotificationFixture.CreateAsync(database);
        var notifications = database.Get<NotificationService>();
        await notifications.NotifyProjectLeadsAsync(f.ProjectId, "old", "Old news", null, null, default);
        await notifications.NotifyProjectLeadsAsync(f.ProjectId, "new", "Fresh news", null, null, default);
        await using (var db = await database.ContextAsync())
        {
            await db.Notifications.Where(n => n.Key == "old")
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.CreatedAt, DateTime.UtcNow.AddDays(-MailDigestJob.BacklogDays - 1)));
        }

        var outcome = await Job(database, smtp.Port).SendAsync(default);
        var first = await smtp.NextAsync();

        Assert.Equal(new DigestOutcome(2, 0, 0, 2), outcome);
        Assert.Contains("Fresh news", first.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Old news", first.Text, StringComparison.Ordinal);
    }

    private static MailDigestJob Job(TestDatabase database, int port) => new(database.Factory, Options.Create(new MailOptions
    {
        Host = "127.0.0.1", Port = port, Security = MailSecurity.None, UserName = "portal", Password = "secret", From = "Portal <portal@example.test>", BaseUrl = BaseUrl,
    }), TimeProvider.System, NullLogger<MailDigestJob>.Instance);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
