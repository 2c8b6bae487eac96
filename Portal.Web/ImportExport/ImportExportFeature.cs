namespace Portal.Web.ImportExport;

public static class ImportExportFeature
{
    public static IServiceCollection AddImportExport(this IServiceCollection services)
    {
        services.AddOptions<DataFilesOptions>().BindConfiguration(DataFilesOptions.Section);
        services.AddOptions<UrlSourceOptions>().BindConfiguration(UrlSourceOptions.Section);
        services.AddOptions<BlobSourceOptions>().BindConfiguration(BlobSourceOptions.Section);
        services.AddSingleton<DataFiles>();
        services.AddSingleton<DataJobProgress>();
        services.AddSingleton<UrlSource>();
        services.AddSingleton<BlobSource>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<ExportService>();
        services.AddTransient<DataJobRunner>();
        services.AddScoped<DataJobService>();
        services.AddTransient<DataJobResumeJob>();
        return services;
    }
}
