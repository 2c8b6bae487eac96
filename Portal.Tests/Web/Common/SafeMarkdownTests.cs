using Portal.Web.Common;

namespace Portal.Tests.Web.Common;

/// <summary>Guidelines Markdown through Markdig: what guidelines need renders, nothing a writer types can run script.</summary>
public class SafeMarkdownTests
{
    [Fact]
    public void PipeTable_BecomesATable()
    {
        var html = SafeMarkdown.ToHtml("| Label | Use for |\n|---|---|\n| Person | people's names |");

        Assert.Contains("<table>", html, StringComparison.Ordinal);
        Assert.Contains("<th>Label</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>people's names</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberedAndBulletLists_AndTaskLists_Render()
    {
        var html = SafeMarkdown.ToHtml("1. first\n2. second\n\nBullets:\n\n- a\n- b\n\nTasks:\n\n- [x] done\n- [ ] to do");

        Assert.Contains("<ol>\n<li>first</li>\n<li>second</li>\n</ol>", html, StringComparison.Ordinal);
        Assert.Contains("<li>a</li>", html, StringComparison.Ordinal);
        Assert.Contains("contains-task-list", html, StringComparison.Ordinal);
        Assert.Contains("checked=\"checked\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_InlineAndFenced_IsEscapedText()
    {
        var html = SafeMarkdown.ToHtml("Use `<b>` here.\n\n```\nif (a < b) { }\n```");

        Assert.Contains("<code>&lt;b&gt;</code>", html, StringComparison.Ordinal);
        Assert.Contains("<pre><code>if (a &lt; b) { }\n</code></pre>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalLink_OpensApartWithoutReferrer_RelativeAndMailLinksDoNot()
    {
        var html = SafeMarkdown.ToHtml("[wiki](https://wiki.example.com/labels) [task](/projects/x/tasks/1) [mail](mailto:qa@example.com)");

        Assert.Contains("<a href=\"https://wiki.example.com/labels\" target=\"_blank\" rel=\"noopener noreferrer\">wiki</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/projects/x/tasks/1\">task</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"mailto:qa@example.com\">mail</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_FromHttpAndRelativeSources_Render()
    {
        var html = SafeMarkdown.ToHtml("![chart](https://img.example.com/a.png) ![local](images/b.png)");

        Assert.Contains("<img src=\"https://img.example.com/a.png\" alt=\"chart\" />", html, StringComparison.Ordinal);
        Assert.Contains("<img src=\"images/b.png\" alt=\"local\" />", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Autolinks_Render_AsSafeLinks()
    {
        var html = SafeMarkdown.ToHtml("See <https://example.com/a> or www.example.org, or write to <qa@example.com>.");

        Assert.Contains("<a href=\"https://example.com/a\" target=\"_blank\" rel=\"noopener noreferrer\">https://example.com/a</a>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://www.example.org\"", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"mailto:qa@example.com\">qa@example.com</a>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("Hello <script>alert(1)</script> world")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("text <img src=x onerror=alert(1)> text")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    public void RawHtml_IsShownAsText(string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<a ", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))", "x")]
    [InlineData("[click](JaVaScRiPt:alert(1))", "click")]
    [InlineData("[x](javascript&#58;alert(1))", "x")]
    [InlineData("[x](<java\tscript:alert(1)>)", "x")]
    [InlineData("[x](vbscript:msgbox(1))", "x")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)", "x")]
    [InlineData("[x][evil]\n\n[evil]: javascript:alert(1)", "x")]
    [InlineData("<javascript:alert(1)>", "javascript:alert(1)")]
    public void UnsafeLink_IsReplacedByItsText(string markdown, string text)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.DoesNotContain("<a", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(text, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("![x](data:image/svg+xml;base64,PHN2Zz4=)")]
    [InlineData("![x](mailto:a@b.c)")]
    [InlineData("![x](file:///etc/passwd)")]
    public void UnsafeImage_IsReplacedByItsAltText(string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<p>x</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_GivesNothing()
    {
        Assert.Equal("", SafeMarkdown.ToHtml(null));
        Assert.Equal("", SafeMarkdown.ToHtml("  \n "));
    }
}
