namespace Portal.Core.Labeling;

public enum MarkdownBlockKind
{
    Heading,
    Paragraph,
    Bullet,
}

/// <summary>A run of inline text; bold where it was **marked**.</summary>
public readonly record struct MarkdownRun(string Text, bool Bold);

public sealed record MarkdownBlock(MarkdownBlockKind Kind, IReadOnlyList<MarkdownRun> Runs);

/// <summary>
/// The small part of Markdown guidelines need (headings, paragraphs, bullet lists, bold), parsed into blocks that
/// the UI renders as text: user-written guidelines never become HTML markup.
/// </summary>
public static class SimpleMarkdown
{
    public static IReadOnlyList<MarkdownBlock> Parse(string? markdown)
    {
        var blocks = new List<MarkdownBlock>();
        var paragraph = new List<string>();
        void Flush()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new MarkdownBlock(MarkdownBlockKind.Paragraph, Inline(string.Join(" ", paragraph))));
                paragraph.Clear();
            }
        }

        foreach (var raw in (markdown ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                Flush();
            }
            else if (line.StartsWith('#'))
            {
                Flush();
                blocks.Add(new MarkdownBlock(MarkdownBlockKind.Heading, Inline(line.TrimStart('#').Trim())));
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal))
            {
                Flush();
                blocks.Add(new MarkdownBlock(MarkdownBlockKind.Bullet, Inline(line[2..].Trim())));
            }
            else
            {
                paragraph.Add(line);
            }
        }

        Flush();
        return blocks;
    }

    private static List<MarkdownRun> Inline(string text)
    {
        var runs = new List<MarkdownRun>();
        var parts = text.Split("**");
        for (var i = 0; i < parts.Length; i++)
        {
            // An odd number of ** leaves the last part plain.
            var bold = i % 2 == 1 && i < parts.Length - (parts.Length % 2 == 0 ? 1 : 0);
            if (parts[i].Length > 0)
            {
                runs.Add(new MarkdownRun(parts[i], bold));
            }
        }

        return runs;
    }
}
