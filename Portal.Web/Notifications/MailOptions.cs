using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Web.Notifications;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum MailSecurity
{
    /// <summary>Plain text; only for a relay on the same host or a test server.</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS (usually port 587); refused if the server cannot upgrade.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
}

/// <summary>The nightly e-mail digest's SMTP settings (<c>Portal:Mail</c>); without a Host no mail is sent.</summary>
public sealed class MailOptions
{
    public const string Section = "Portal:Mail";

    /// <summary>The SMTP server; empty turns e-mail off.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>Sign-in name at the SMTP server; empty sends without signing in.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, e.g. "Portal &lt;portal@example.com&gt;".</summary>
    public string? From { get; set; }

    /// <summary>The portal's absolute address (https://portal.example.com), for links in the mail.</summary>
    public string? BaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>Checked at startup, so a half-configured mail section stops the app with a message naming the key.</summary>
internal sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        if (!options.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        const string prefix = MailOptions.Section + ":";
        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"{prefix}Port is {options.Port}; it must be between 1 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(options.From))
        {
            errors.Add($"{prefix}From is required when {prefix}Host is set: the sender address of the e-mail digest, e.g. \"Portal <portal@example.com>\".");
        }
        else if (!MailboxAddress.TryParse(options.From, out _))
        {
            errors.Add($"{prefix}From is \"{options.From}\", which is not an e-mail address.");
        }

        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            errors.Add($"{prefix}BaseUrl is required when {prefix}Host is set: the portal's absolute address for links in the e-mail digest, e.g. https://portal.example.com.");
        }
        else if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{prefix}BaseUrl is \"{options.BaseUrl}\"; it must be an absolute http(s) address such as https://portal.example.com.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
