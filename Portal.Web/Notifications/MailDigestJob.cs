using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Security;
using Portal.Data;
using Portal.Web.Jobs;

namespace Portal.Web.Notifications;

/// <summary>What one digest run did: people mailed, people whose mail failed (retried next run), people without an address.</summary>
public sealed record DigestOutcome(int Sent, int Failed, int Skipped, int Notifications);

/// <summary>
/// The nightly e-mail digest: each person with notifications not yet e-mailed gets one mail listing them, and exactly
/// those are then stamped EmailedAt, so a rerun after success sends nothing. A failure for one person does not stop the
/// others and leaves theirs for the next run. Only the last <see cref="BacklogDays"/> days are sent: with mail off,
/// nothing is stamped, so turning it on later sends at most a week's backlog instead of months of stale news.
/// </summary>
public sealed class MailDigestJob(IDbContextFactory<PortalDbContext> factory, IOptions<MailOptions> options, TimeProvider clock, ILogger<MailDigestJob> logger)
    : IRecurringJob
{
    public const int BacklogDays = 7;

    public async Task RunAsync(CancellationToken ct)
    {
        var outcome = await SendAsync(ct);
        if (outcome.Failed > 0)
        {
            // Surfaces to Hangfire, which retries: the people already mailed are stamped, so a retry mails only the rest.
            throw new InvalidOperationException($"The e-mail digest could not be sent to {outcome.Failed} of {outcome.Sent + outcome.Failed} people; see the log.");
        }
    }

    /// <summary>Sends the digests; does nothing (and says so in the log) when <c>Portal:Mail:Host</c> is not set.</summary>
    public async Task<DigestOutcome> SendAsync(CancellationToken ct)
    {
        var mail = options.Value;
        if (!mail.IsConfigured)
        {
            logger.LogInformation("E-mail digest skipped: {Key} is not set, so no mail is sent; notifications stay unsent for up to {Days} days.",
                MailOptions.Section + ":Host", BacklogDays);
            return new DigestOutcome(0, 0, 0, 0);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-BacklogDays);
        await using var db = await factory.CreateDbContextAsync(ct);
        var recipients = await Pending(db, since, now)
            .Join(db.Users, n => n.UserId, u => u.Id, (n, u) => new { u.Id, u.DisplayName, u.Email, u.IsActive })
            .Distinct()
            .OrderBy(u => u.Id)
            .ToListAsync(ct);
        using var smtp = new SmtpClient { Timeout = 30_000 };
        int sent = 0, failed = 0, skipped = 0, notifications = 0;
        foreach (var person in recipients)
        {
            if (!person.IsActive || !MailboxAddress.TryParse(person.Email, out var address))
            {
                skipped++;
                continue;
            }

            var items = await Pending(db, since, now).Where(n => n.UserId == person.Id)
                .OrderBy(n => n.Id)
                .Select(n => new { n.Id, Item = new DigestItem(db.Projects.Where(p => p.Id == n.ProjectId).Select(p => p.Name).FirstOrDefault(), n.Title, n.Body, n.Link, n.CreatedAt) })
                .ToListAsync(ct);
            var digest = DigestComposer.Compose(person.DisplayName, [.. items.Select(i => i.Item)], mail.BaseUrl!);
            try
            {
                await SendOneAsync(smtp, mail, new MailboxAddress(person.DisplayName, address.Address), digest, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The e-mail digest for user {UserId} could not be sent; it is tried again next run.", person.Id);
                failed++;
                await DisconnectQuietlyAsync(smtp);
                continue;
            }

            var ids = items.Select(i => i.Id).ToList();
            notifications += await db.Notifications.Where(n => ids.Contains(n.Id) && n.EmailedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.EmailedAt, now), CancellationToken.None);
            sent++;
        }

        await DisconnectQuietlyAsync(smtp);
        logger.LogInformation("E-mail digest: {Sent} sent, {Failed} failed, {Skipped} skipped (no usable address or inactive), {Notifications} notifications.",
            sent, failed, skipped, notifications);
        return new DigestOutcome(sent, failed, skipped, notifications);
    }

    /// <summary>
    /// Not yet e-mailed, from the backlog window, and still the recipient's to see: about no project, or about one where
    /// they are still a QA lead or manager (the same rule as the bell).
    /// </summary>
    private static IQueryable<Data.Entities.Notification> Pending(PortalDbContext db, DateTime since, DateTime now) => db.Notifications
        .Where(n => n.EmailedAt == null && n.CreatedAt >= since && n.CreatedAt <= now)
        .Where(n => n.ProjectId == null
            || db.ProjectMembers.Any(m => m.ProjectId == n.ProjectId && m.UserId == n.UserId && m.Role >= ProjectRole.Reviewer));

    private static async Task SendOneAsync(SmtpClient smtp, MailOptions mail, MailboxAddress to, DigestMail digest, CancellationToken ct)
    {
        await MailConnection.EnsureConnectedAsync(smtp, mail, ct);
        var message = new MimeMessage { Subject = digest.Subject };
        message.From.Add(MailboxAddress.Parse(mail.From!));
        message.To.Add(to);
        message.Body = new BodyBuilder { TextBody = digest.Text, HtmlBody = digest.Html }.ToMessageBody();
        await smtp.SendAsync(message, ct);
    }

    private Task DisconnectQuietlyAsync(SmtpClient smtp) => MailConnection.DisconnectQuietlyAsync(smtp, logger);
}
