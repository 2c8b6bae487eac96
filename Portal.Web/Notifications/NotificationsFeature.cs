namespace Portal.Web.Notifications;

public static class NotificationsFeature
{
    /// <summary>The bell's notifications and the nightly e-mail digest (<c>Portal:Mail</c>, checked at startup).</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<MailOptions>, MailOptionsValidator>();
        services.AddSingleton<NotificationService>();
        services.AddTransient<MailDigestJob>();
        return services;
    }
}
