using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Core.ImportExport;

/// <summary>A masking rule: what to find and the placeholder that replaces it.</summary>
public sealed record PiiRule(string Name, Regex Pattern, string Placeholder, Func<string, bool>? Accept = null);

/// <summary>One replaced region: where it was in the original text and where its placeholder is in the masked one.</summary>
public readonly record struct PiiReplacement(string Rule, int Start, int End, int NewStart, int NewEnd);

/// <summary>A masked text and the map from original offsets to masked ones.</summary>
public sealed class PiiMasked(string text, IReadOnlyList<PiiReplacement> replacements)
{
    public string Text { get; } = text;

    public IReadOnlyList<PiiReplacement> Replacements { get; } = replacements;

    /// <summary>
    /// Where a span of the original text is in the masked text. A span that touches a masked region grows to cover its
    /// whole placeholder (a label on part of an e-mail address labels the placeholder), so imported annotations stay
    /// on the same words.
    /// </summary>
    public (int Start, int End) Map(int start, int end)
    {
        var newStart = MapOffset(start, towardsEnd: false);
        var newEnd = MapOffset(end, towardsEnd: true);
        return (newStart, Math.Max(newStart, newEnd));
    }

    private int MapOffset(int offset, bool towardsEnd)
    {
        var shift = 0;
        foreach (var r in Replacements)
        {
            if (offset <= r.Start)
            {
                break;
            }

            if (offset < r.End)
            {
                return towardsEnd ? r.NewEnd : r.NewStart;
            }

            shift = r.NewEnd - r.End;
        }

        return offset + shift;
    }
}

/// <summary>
/// PII masking on import: e-mail addresses, phone numbers, IBANs (mod-97 checked), card numbers (Luhn checked) and
/// custom patterns become placeholders such as "[EMAIL]". Rules apply in order; a region found by an earlier rule is
/// not matched again. Custom patterns run with a timeout, so a pathological pattern cannot stall an import.
/// </summary>
public static partial class PiiMasking
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public static readonly PiiRule Email = new("email", EmailPattern(), "[EMAIL]");
    public static readonly PiiRule Iban = new("iban", IbanPattern(), "[IBAN]", IsIban);
    public static readonly PiiRule Card = new("card", CardPattern(), "[CARD]", IsLuhn);
    public static readonly PiiRule Phone = new("phone", PhonePattern(), "[PHONE]", IsPhone);

    /// <summary>The built-in rules, most specific first (a card or IBAN is not also a phone number).</summary>
    public static IReadOnlyList<PiiRule> BuiltIn { get; } = [Email, Iban, Card, Phone];

    /// <summary>A built-in rule by its name (email, phone, iban, card); another name is an error that lists them.</summary>
    public static PiiRule Named(string name) =>
        BuiltIn.FirstOrDefault(r => r.Name == name)
        ?? throw new DataFormatException($"There is no masking rule \"{name}\"; the rules are {string.Join(", ", BuiltIn.Select(r => r.Name))}.");

    /// <summary>A custom rule from a manager's pattern; a pattern that does not compile is an error naming it.</summary>
    public static PiiRule Custom(string name, string pattern)
    {
        try
        {
            return new PiiRule(name, new Regex(pattern, RegexOptions.CultureInvariant, Timeout), $"[{name.ToUpperInvariant()}]");
        }
        catch (ArgumentException ex)
        {
            throw new DataFormatException($"The masking pattern \"{name}\" is not a valid regular expression: {ex.Message}");
        }
    }

    public static PiiMasked Mask(string text, IReadOnlyList<PiiRule> rules)
    {
        var found = new List<(int Start, int End, PiiRule Rule)>();
        foreach (var rule in rules)
        {
            MatchCollection matches;
            try
            {
                matches = rule.Pattern.Matches(text);
                _ = matches.Count;
            }
            catch (RegexMatchTimeoutException)
            {
                throw new DataFormatException($"The masking pattern \"{rule.Name}\" took too long on a text; simplify it.");
            }

            foreach (Match m in matches)
            {
                if (m.Length > 0 && (rule.Accept?.Invoke(m.Value) ?? true) && !found.Any(f => f.Start < m.Index + m.Length && m.Index < f.End))
                {
                    found.Add((m.Index, m.Index + m.Length, rule));
                }
            }
        }

        if (found.Count == 0)
        {
            return new PiiMasked(text, []);
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var masked = new StringBuilder(text.Length);
        var replacements = new List<PiiReplacement>(found.Count);
        var at = 0;
        foreach (var (start, end, rule) in found)
        {
            masked.Append(text, at, start - at);
            var newStart = masked.Length;
            masked.Append(rule.Placeholder);
            replacements.Add(new PiiReplacement(rule.Name, start, end, newStart, masked.Length));
            at = end;
        }

        masked.Append(text, at, text.Length - at);
        return new PiiMasked(masked.ToString(), replacements);
    }

    /// <summary>7 to 15 digits, written the way phone numbers are: with a country code, an area code in brackets, or in groups.</summary>
    private static bool IsPhone(string value) =>
        value.Count(char.IsAsciiDigit) is >= 7 and <= 15 &&
        (value[0] is '+' or '(' || value.Count(c => c is ' ' or '.' or '-') >= 2);

    private static bool IsLuhn(string value)
    {
        var digits = value.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            sum += i % 2 == 1 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d;
        }

        return sum % 10 == 0;
    }

    private static bool IsIban(string value)
    {
        var compact = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        var rearranged = compact[4..] + compact[..4];
        var number = new StringBuilder();
        foreach (var c in rearranged)
        {
            number.Append(char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return BigInteger.Parse(number.ToString(), System.Globalization.CultureInfo.InvariantCulture) % 97 == 1;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\w+\-/.])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?!\w)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex PhonePattern();
}
