using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Web.Notifications;

namespace Portal.Tests.Web.Notifications;

public class DigestComposerTests
{
    private static readonly DateTime At = new(2026, 11, 29, 3, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Compose_SubjectCountsNotificationsAndNamesTheOneProject_OrCountsProjects()
    {
        DigestItem Item(string? project) => new(project, "T", null, null, At);

        Assert.Equal("Portal: 1 new notification in Alpha", DigestComposer.Compose("X", [Item("Alpha")], "https://p").Subject);
        Assert.Equal("Portal: 3 new notifications in 2 projects", DigestComposer.Compose("X", [Item("Alpha"), Item("Beta"), Item("Alpha")], "https://p").Subject);
        Assert.Equal("Portal: 1 new notification", DigestComposer.Compose("X", [Item(null)], "https://p").Subject);
    }

    [Fact]
    public void Compose_ListsAtMostTheCap_AndSaysHowManyMore()
    {
        var items = Enumerable.Range(0, DigestComposer.MaxListed + 5).Select(i => new DigestItem("Alpha", $"Finding {i}", null, $"/f/{i}", At.AddMinutes(i))).ToList();

        var mail = DigestComposer.Compose("Lea <Lead>", items, "https://portal.example.test/");

        Assert.Contains("… and 5 more.", mail.Text, StringComparison.Ordinal);
        Assert.Equal(DigestComposer.MaxListed, mail.Html.Split("<li>").Length - 1);
        Assert.Contains("Hello Lea &lt;Lead&gt;,", mail.Html, StringComparison.Ordinal);
        Assert.Contains("https://portal.example.test/f/54", mail.Text, StringComparison.Ordinal);
        Assert.Contains("https://portal.example.test/notifications", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void MailOptions_WithAHostButNoSenderOrBaseUrl_FailAtStartup_NamingTheKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:Mail:Host"] = "smtp.example.test",
            ["Portal:Mail:BaseUrl"] = "portal.example.test",
        }).Build();
        using var services = new ServiceCollection().AddNotifications(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MailOptions>>().Value);

        Assert.Contains("Portal:Mail:From is required when Portal:Mail:Host is set", error.Message, StringComparison.Ordinal);
        Assert.Contains("Portal:Mail:BaseUrl is \"portal.example.test\"; it must be an absolute http(s) address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MailOptions_WithoutAHost_AreValid_AndMailIsOff()
    {
        using var services = new ServiceCollection().AddNotifications(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.False(services.GetRequiredService<IOptions<MailOptions>>().Value.IsConfigured);
    }
}
