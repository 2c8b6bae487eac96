using Portal.Core.ImportExport;

namespace Portal.Tests.Core.ImportExport;

public class PiiMaskingTests
{
    [Fact]
    public void Mask_BuiltInRules_ReplaceEmailPhoneIbanAndCard_ButNotLookAlikes()
    {
        const string text = "Write to ana.lima@example.com or call +49 30 1234-5678. IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111. " +
            "Order INV-2025-1234 on 12/03/2024, amount 855.33, wrong IBAN DE00 3704 0044 0532 0130 00, wrong card 4111 1111 1111 1112.";

        var masked = PiiMasking.Mask(text, PiiMasking.BuiltIn);

        Assert.Equal("Write to [EMAIL] or call [PHONE]. IBAN [IBAN], card [CARD]. " +
            "Order INV-2025-1234 on 12/03/2024, amount 855.33, wrong IBAN DE00 3704 0044 0532 0130 00, wrong card 4111 1111 1111 1112.", masked.Text);
        Assert.Equal(["email", "phone", "iban", "card"], masked.Replacements.Select(r => r.Rule));
    }

    [Fact]
    public void Map_KeepsAnnotationsOnTheSameWords()
    {
        const string text = "Mail ana@example.com to Maria Schneider today.";
        var masked = PiiMasking.Mask(text, PiiMasking.BuiltIn);
        var maria = text.IndexOf("Maria Schneider", StringComparison.Ordinal);
        var email = text.IndexOf("ana@", StringComparison.Ordinal);

        var (start, end) = masked.Map(maria, maria + "Maria Schneider".Length);
        Assert.Equal("Maria Schneider", masked.Text[start..end]);

        // A span on part of the address labels the whole placeholder; one around it keeps its words.
        (start, end) = masked.Map(email + 4, email + 11);
        Assert.Equal("[EMAIL]", masked.Text[start..end]);
        (start, end) = masked.Map(0, maria - 4);
        Assert.Equal("Mail [EMAIL]", masked.Text[start..end]);
        Assert.Equal((0, 4), masked.Map(0, 4));
    }

    [Fact]
    public void Custom_PatternsMaskToo_AndABadPatternIsAClearError()
    {
        var rule = PiiMasking.Custom("customer", @"\bCUST-\d{6}\b");
        var masked = PiiMasking.Mask("Customer CUST-123456 called.", [rule]);

        Assert.Equal("Customer [CUSTOMER] called.", masked.Text);
        var error = Assert.Throws<DataFormatException>(() => PiiMasking.Custom("broken", "(unclosed"));
        Assert.Contains("\"broken\" is not a valid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mask_WithoutPii_ReturnsTheTextUnchanged()
    {
        var masked = PiiMasking.Mask("Nothing personal here.", PiiMasking.BuiltIn);

        Assert.Equal("Nothing personal here.", masked.Text);
        Assert.Equal((3, 10), masked.Map(3, 10));
    }
}
