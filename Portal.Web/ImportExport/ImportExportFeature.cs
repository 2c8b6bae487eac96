namespace Portal.Web.ImportExport;

public static class ImportExportFeature
{
    public static IServiceCollection AddImportExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DataFilesOptions>().BindConfiguration(DataFilesOptions.Section);
        services.AddOptions<UrlSourceOptions>().BindConfiguration(UrlSourceOptions.Section);
        services.AddOptions<BlobSourceOptions>().BindConfiguration(BlobSourceOptions.Section);
        services.AddOptions<LongTextOptions>().Bind(configuration.GetSection(LongTextOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LongTextOptions>, LongTextOptionsValidation>();
        services.AddSingleton<DataFiles>();
        services.AddSingleton<UrlSource>();
        services.AddSingleton<BlobSource>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<ExportService>();
        // Imports and exports are kinds of durable run (Jobs/DurableRunner); expired files go with the runs' retention.
        services.AddTransient<Jobs.IRunKind, ImportRun>();
        services.AddTransient<Jobs.IRunKind, ExportRun>();
        services.AddTransient<Jobs.IRunRetention, DataFilesRetention>();
        services.AddScoped<DataJobService>();
        return services;
    }
}
