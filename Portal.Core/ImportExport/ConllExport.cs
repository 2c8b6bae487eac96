using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Core.ImportExport;

/// <summary>A labeled span of one task for CoNLL: UTF-16 offsets, end exclusive.</summary>
public readonly record struct ConllSpan(int Start, int End, string Label);

/// <summary>
/// CoNLL-2003 with IOB2 tags the way Label Studio's CONLL2003 exporter writes them, so files are interchangeable:
/// a "-DOCSTART- -X- O" header, then per annotation one "token -X- _ tag" line per token and a blank line.
/// Tokens come from the Penn Treebank word tokenizer (NLTK 3.8, with Label Studio's punctuation rules, which also
/// split "/"); a span that covers part of a token tags the whole token; spans are trimmed of surrounding whitespace
/// first. Checked against NLTK and Label Studio's algorithm on reference cases (Tests/Core/ImportExport).
/// </summary>
public static partial class ConllExport
{
    public const string Header = "-DOCSTART- -X- O";

    public static void WriteHeader(TextWriter writer) => writer.Write(Header + "\n");

    /// <summary>Writes one annotated text: its tokens with their tags, then a blank line.</summary>
    public static void WriteDocument(TextWriter writer, string text, IEnumerable<ConllSpan> spans)
    {
        var (tokens, tags) = TokensAndTags(text, spans);
        var line = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            line.Clear().Append(tokens[i]).Append(" -X- _ ").Append(tags[i]).Append('\n');
            writer.Write(line);
        }

        writer.Write('\n');
    }

    /// <summary>Tokens and their IOB2 tags (Label Studio's <c>create_tokens_and_tags</c>, rule for rule).</summary>
    public static (IReadOnlyList<string> Tokens, IReadOnlyList<string> Tags) TokensAndTags(string text, IEnumerable<ConllSpan> spans)
    {
        var tokenSpans = Tokenize(text);
        var tokens = tokenSpans.Select(t => text[t.Start..t.End]).ToList();
        var queue = new Queue<ConllSpan>(spans.Select(s => Trim(text, s)).Where(s => s.End > s.Start).OrderBy(s => s.Start));
        var tags = new List<string>(tokens.Count);
        if (queue.Count == 0)
        {
            tags.AddRange(tokens.Select(_ => "O"));
            return (tokens, tags);
        }

        var span = queue.Dequeue();
        var spanStart = span.Start;
        var spanEnd = span.End - 1;
        var prefix = "B-";
        foreach (var (tokenStart, end) in tokenSpans)
        {
            var tokenEnd = end - 1;
            if (tokenStart > spanEnd)
            {
                while (queue.Count > 0)
                {
                    span = queue.Dequeue();
                    spanStart = span.Start;
                    spanEnd = span.End - 1;
                    prefix = "B-";
                    if (tokenStart <= spanEnd)
                    {
                        break;
                    }
                }
            }

            if (tokenEnd < spanStart || span.Label.Length == 0)
            {
                tags.Add("O");
            }
            else if (spanStart <= tokenEnd && spanEnd >= tokenStart)
            {
                tags.Add(prefix + span.Label);
                prefix = "I-";
            }
            else
            {
                tags.Add("O");
            }
        }

        return (tokens, tags);
    }

    private static ConllSpan Trim(string text, ConllSpan span)
    {
        int start = Math.Clamp(span.Start, 0, text.Length), end = Math.Clamp(span.End, 0, text.Length);
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return span with { Start = start, End = end };
    }

    /// <summary>
    /// Penn Treebank word tokens as offsets into <paramref name="text"/> (NLTK <c>TreebankWordTokenizer.span_tokenize</c>).
    /// Where NLTK's alignment would fail (a token not found in the text), whitespace-separated tokens are used instead.
    /// </summary>
    public static IReadOnlyList<(int Start, int End)> Tokenize(string text)
    {
        var raw = TreebankTokens(text);
        var tokens = raw;
        if (text.Contains('"', StringComparison.Ordinal) || text.Contains("''", StringComparison.Ordinal))
        {
            var quotes = new Queue<string>(QuoteMarks().Matches(text).Select(m => m.Value));
            tokens = [.. raw.Select(t => t is "\"" or "``" or "''" && quotes.Count > 0 ? quotes.Dequeue() : t)];
        }

        var offsets = new List<(int, int)>(tokens.Count);
        var point = 0;
        foreach (var token in tokens)
        {
            var start = text.IndexOf(token, point, StringComparison.Ordinal);
            if (start < 0)
            {
                return WhitespaceTokens(text);
            }

            point = start + token.Length;
            offsets.Add((start, point));
        }

        return offsets;
    }

    private static List<(int, int)> WhitespaceTokens(string text)
    {
        var offsets = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i > start)
            {
                offsets.Add((start, i));
            }
        }

        return offsets;
    }

    private static List<string> TreebankTokens(string text)
    {
        foreach (var (pattern, replacement) in StartingQuotes)
        {
            text = pattern.Replace(text, replacement);
        }

        foreach (var (pattern, replacement) in Punctuation)
        {
            text = pattern.Replace(text, replacement);
        }

        text = ParensBrackets().Replace(text, " $0 ");
        text = text.Replace("--", " -- ", StringComparison.Ordinal);
        text = " " + text + " ";
        foreach (var (pattern, replacement) in EndingQuotes)
        {
            text = pattern.Replace(text, replacement);
        }

        foreach (var pattern in Contractions)
        {
            text = pattern.Replace(text, " $1 $2 ");
        }

        return [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
    }

    private static readonly (Regex, string)[] StartingQuotes =
    [
        (new Regex("^\"", RegexOptions.Compiled), "``"),
        (new Regex("(``)", RegexOptions.Compiled), " $1 "),
        (new Regex("([ \\(\\[{<])(\"|'{2})", RegexOptions.Compiled), "$1 `` "),
    ];

    // NLTK's punctuation rules as Label Studio sets them (it adds "/" to the symbols split off).
    private static readonly (Regex, string)[] Punctuation =
    [
        (new Regex("([:,])([^\\d])", RegexOptions.Compiled), " $1 $2"),
        (new Regex("([:,])$", RegexOptions.Compiled), " $1 "),
        (new Regex("\\.\\.\\.", RegexOptions.Compiled), " ... "),
        (new Regex("[;@#$/%&]", RegexOptions.Compiled), " $0 "),
        (new Regex("([^\\.])(\\.)([\\]\\)}>\"']*)\\s*$", RegexOptions.Compiled), "$1 $2$3 "),
        (new Regex("[?!]", RegexOptions.Compiled), " $0 "),
        (new Regex("([^'])' ", RegexOptions.Compiled), "$1 ' "),
    ];

    private static readonly (Regex, string)[] EndingQuotes =
    [
        (new Regex("''", RegexOptions.Compiled), " '' "),
        (new Regex("\"", RegexOptions.Compiled), " '' "),
        (new Regex("([^' ])('[sS]|'[mM]|'[dD]|') ", RegexOptions.Compiled), "$1 $2 "),
        (new Regex("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", RegexOptions.Compiled), "$1 $2 "),
    ];

    private static readonly Regex[] Contractions =
    [
        .. new[] { "can)(not", "d)('ye", "gim)(me", "gon)(na", "got)(ta", "lem)(me", "more)('n" }
            .Select(p => new Regex($"(?i)\\b({p})\\b", RegexOptions.Compiled)),
        new Regex("(?i)\\b(wan)(na)(?=\\s)", RegexOptions.Compiled),
        new Regex("(?i) ('t)(is)\\b", RegexOptions.Compiled),
        new Regex("(?i) ('t)(was)\\b", RegexOptions.Compiled),
    ];

    [GeneratedRegex("[\\]\\[\\(\\)\\{\\}\\<\\>]")]
    private static partial Regex ParensBrackets();

    [GeneratedRegex("``|'{2}|\"")]
    private static partial Regex QuoteMarks();
}
