using System.Globalization;
using System.Net;
using System.Text;

namespace Portal.Web.Notifications;

/// <summary>One notification in a digest.</summary>
public sealed record DigestItem(string? ProjectName, string Title, string? Body, string? Link, DateTime CreatedAt);

/// <summary>A digest ready to send: the subject and the same content as plain text and as HTML.</summary>
public sealed record DigestMail(string Subject, string Text, string Html);

/// <summary>
/// Builds one person's e-mail digest. Pure: every data value (names, titles, texts, links) is HTML-encoded in the HTML
/// part, and links become absolute on the portal's base address, so nothing in the data can inject markup or point away.
/// </summary>
public static class DigestComposer
{
    /// <summary>More than this many are summarised as "and N more", so a backlog never makes a huge mail.</summary>
    public const int MaxListed = 50;

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static DigestMail Compose(string recipientName, IReadOnlyList<DigestItem> items, string baseUrl)
    {
        if (items.Count == 0)
        {
            throw new ArgumentException("A digest needs at least one notification.", nameof(items));
        }

        var root = baseUrl.TrimEnd('/');
        var projects = items.Select(i => i.ProjectName).Where(n => n is not null).Distinct(StringComparer.Ordinal).ToList();
        var count = items.Count == 1 ? "1 new notification" : $"{items.Count.ToString("N0", Culture)} new notifications";
        var subject = projects.Count switch
        {
            0 => $"Portal: {count}",
            1 => $"Portal: {count} in {projects[0]}",
            _ => $"Portal: {count} in {projects.Count} projects",
        };
        var listed = items.OrderBy(i => i.ProjectName, StringComparer.Ordinal).ThenByDescending(i => i.CreatedAt).Take(MaxListed).ToList();
        var all = root + "/notifications";
        return new DigestMail(subject, Text(recipientName, listed, items.Count, root, all), Html(recipientName, listed, items.Count, root, all));
    }

    private static string Text(string name, List<DigestItem> listed, int total, string root, string all)
    {
        var text = new StringBuilder();
        text.Append(Culture, $"Hello {name},\n\nHere is what happened in Portal since the last digest.\n");
        foreach (var group in listed.GroupBy(i => i.ProjectName))
        {
            text.Append(Culture, $"\n{group.Key ?? "Portal"}\n");
            foreach (var item in group)
            {
                text.Append(Culture, $"- {item.Title} ({When(item.CreatedAt)})\n");
                if (item.Body is not null)
                {
                    text.Append(Culture, $"  {item.Body.ReplaceLineEndings("\n  ")}\n");
                }

                if (item.Link is not null)
                {
                    text.Append(Culture, $"  {root}{item.Link}\n");
                }
            }
        }

        if (total > listed.Count)
        {
            text.Append(Culture, $"\n… and {(total - listed.Count).ToString("N0", Culture)} more.\n");
        }

        text.Append(Culture, $"\nAll notifications: {all}\n\nYou get this e-mail because you are a QA lead or manager in these projects.\n");
        return text.ToString();
    }

    private static string Html(string name, List<DigestItem> listed, int total, string root, string all)
    {
        var html = new StringBuilder();
        html.Append(Culture, $"<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>Hello {E(name)},</p><p>Here is what happened in Portal since the last digest.</p>");
        foreach (var group in listed.GroupBy(i => i.ProjectName))
        {
            html.Append(Culture, $"<h3>{E(group.Key ?? "Portal")}</h3><ul>");
            foreach (var item in group)
            {
                var title = item.Link is null ? $"<b>{E(item.Title)}</b>" : $"<a href=\"{E(root + item.Link)}\"><b>{E(item.Title)}</b></a>";
                html.Append(Culture, $"<li>{title} <span style=\"color:#666\">({E(When(item.CreatedAt))})</span>");
                if (item.Body is not null)
                {
                    html.Append(Culture, $"<br>{E(item.Body)}");
                }

                html.Append("</li>");
            }

            html.Append("</ul>");
        }

        if (total > listed.Count)
        {
            html.Append(Culture, $"<p>… and {(total - listed.Count).ToString("N0", Culture)} more.</p>");
        }

        html.Append(Culture, $"<p><a href=\"{E(all)}\">All notifications</a></p><p style=\"color:#666\">You get this e-mail because you are a QA lead or manager in these projects.</p></body></html>");
        return html.ToString();
    }

    private static string When(DateTime at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", Culture);

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
