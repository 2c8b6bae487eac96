using Portal.Core.Labeling;

namespace Portal.Tests.Core.Labeling;

public class SimpleMarkdownTests
{
    [Fact]
    public void Parse_HeadingsParagraphsBulletsAndBold()
    {
        var blocks = SimpleMarkdown.Parse("# Title\n\nMark every **named** entity;\nnot pronouns.\n\n- first\n* second");

        Assert.Equal([MarkdownBlockKind.Heading, MarkdownBlockKind.Paragraph, MarkdownBlockKind.Bullet, MarkdownBlockKind.Bullet], blocks.Select(b => b.Kind));
        Assert.Equal([("Mark every ", false), ("named", true), (" entity; not pronouns.", false)], blocks[1].Runs.Select(r => (r.Text, r.Bold)));
    }

    [Fact]
    public void Parse_MarkupStaysText_AndAnUnclosedBoldIsPlain()
    {
        var blocks = SimpleMarkdown.Parse("<script>alert(1)</script> and **open");
        Assert.Equal("<script>alert(1)</script> and ", blocks[0].Runs[0].Text);
        Assert.All(blocks[0].Runs, r => Assert.False(r.Bold));
    }
}
