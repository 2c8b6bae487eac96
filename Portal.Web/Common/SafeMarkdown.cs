using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Portal.Web.Common;

/// <summary>
/// Guidelines and instructions written in Markdown, as HTML that is safe to show: raw HTML is escaped as text, links
/// keep only http, https, mailto and relative targets (external ones open in a new tab without a referrer), images
/// only http, https and relative sources. A link or image with any other target (javascript:, data:, vbscript:…) is
/// shown as its plain text. This is the one place user-written Markdown becomes markup.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseListExtras()
        .UseTaskLists()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .Build();

    /// <summary>The HTML for <paramref name="markdown"/>; empty for none.</summary>
    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }

        var document = Markdown.Parse(markdown, Pipeline);
        Sanitize(document);
        return Markdown.ToHtml(document, Pipeline);
    }

    /// <summary>True when <paramref name="url"/> may be a link target (<paramref name="image"/>: an image source).</summary>
    public static bool IsAllowed(string? url, bool image)
    {
        var scheme = SchemeOf(url ?? "");
        return scheme is null or "http" or "https" || (scheme == "mailto" && !image);
    }

    private static void Sanitize(MarkdownDocument document)
    {
        // Collected first: replacing inlines while enumerating the tree would skip some.
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            // A dynamic URL is computed at render time and would bypass the check.
            link.GetDynamicUrl = null;
            if (!IsAllowed(link.Url, link.IsImage))
            {
                link.ReplaceBy(new LiteralInline(TextOf(link)), copyChildren: false);
            }
            else if (!link.IsImage)
            {
                OpenApartIfExternal(link, link.Url);
            }
        }

        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (autolink.IsEmail)
            {
                continue;
            }

            if (!IsAllowed(autolink.Url, image: false))
            {
                autolink.ReplaceBy(new LiteralInline(autolink.Url), copyChildren: false);
            }
            else
            {
                OpenApartIfExternal(autolink, autolink.Url);
            }
        }
    }

    /// <summary>Another site opens in a new tab and learns neither the page nor a handle on it.</summary>
    private static void OpenApartIfExternal(Inline link, string? url)
    {
        if (SchemeOf(url ?? "") is "http" or "https" || (url ?? "").StartsWith("//", StringComparison.Ordinal))
        {
            var attributes = link.GetAttributes();
            attributes.AddPropertyIfNotExist("target", "_blank");
            attributes.AddPropertyIfNotExist("rel", "noopener noreferrer");
        }
    }

    /// <summary>The scheme in lower case ("javascript"), or null for a relative URL; blanks and control characters do not count, as browsers ignore them too.</summary>
    private static string? SchemeOf(string url)
    {
        var cleaned = new string([.. url.Where(c => c > ' ' && !char.IsControl(c))]);
        var colon = cleaned.IndexOf(':', StringComparison.Ordinal);
        var end = cleaned.IndexOfAny(['/', '?', '#']);
        return colon < 0 || (end >= 0 && end < colon) ? null : cleaned[..colon].ToLowerInvariant();
    }

    private static string TextOf(ContainerInline container) =>
        string.Concat(container.Descendants<LiteralInline>().Select(l => l.Content.ToString()));
}
