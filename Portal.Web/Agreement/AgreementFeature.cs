namespace Portal.Web.Agreement;

public static class AgreementFeature
{
    public static IServiceCollection AddAgreement(this IServiceCollection services) => services.AddTransient<AgreementSnapshotJob>();
}
