using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Portal.Web.Hosting;

public static class PortalConfiguration
{
    /// <summary>
    /// The repository-root appsettings.json is copied next to the binaries (build and publish); it is loaded
    /// first, so environment files, environment variables and the command line still override it.
    /// </summary>
    public static void AddPortalConfiguration(this WebApplicationBuilder builder) =>
        AddRootSettings(builder.Configuration);

    public static void AddRootSettings(IConfigurationBuilder configuration)
    {
        var source = new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = false,
            ReloadOnChange = false,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        };
        configuration.Sources.Insert(0, source);
    }
}
