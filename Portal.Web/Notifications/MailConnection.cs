using MailKit.Net.Smtp;
using MailKit.Security;

namespace Portal.Web.Notifications;

/// <summary>Opening and closing the SMTP session as <c>Portal:Mail</c> says, for every sender (the digest, scheduled reports).</summary>
public static class MailConnection
{
    /// <summary>Connects (and signs in when a user name is set) unless the client is connected already.</summary>
    public static async Task EnsureConnectedAsync(SmtpClient smtp, MailOptions mail, CancellationToken ct)
    {
        if (smtp.IsConnected)
        {
            return;
        }

        await smtp.ConnectAsync(mail.Host!, mail.Port, mail.Security switch
        {
            MailSecurity.None => SecureSocketOptions.None,
            MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        }, ct);
        if (!string.IsNullOrEmpty(mail.UserName))
        {
            await smtp.AuthenticateAsync(mail.UserName, mail.Password ?? "", ct);
        }
    }

    public static async Task DisconnectQuietlyAsync(SmtpClient smtp, ILogger logger)
    {
        if (!smtp.IsConnected)
        {
            return;
        }

        try
        {
            await smtp.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The server went away mid-session; the next send opens a fresh connection.
            logger.LogDebug(ex, "Closing the SMTP connection failed.");
        }
    }
}
