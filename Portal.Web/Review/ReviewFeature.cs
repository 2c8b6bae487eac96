namespace Portal.Web.Review;

public static class ReviewFeature
{
    public static IServiceCollection AddReview(this IServiceCollection services)
    {
        // One consensus service per app: it is stateless and runs inside submits, reviews and the sweep job alike.
        services.AddSingleton<ConsensusService>();
        services.AddScoped<ReviewService>();
        services.AddScoped<AdjudicationService>();
        services.AddScoped<ReviewSettingsService>();
        services.AddTransient<ConsensusSweepJob>();
        return services;
    }
}
