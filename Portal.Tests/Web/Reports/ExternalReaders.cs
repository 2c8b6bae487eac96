using System.Diagnostics;
using System.Text.Json;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Reports;

/// <summary>
/// Readers that are not ours: Python's openpyxl (python3-openpyxl from apt) and LibreOffice headless (libreoffice-calc-nogui)
/// with poppler's pdftoppm. scripts/test.sh installs them; a machine without them fails the test saying what to install.
/// </summary>
public static class ExternalReaders
{
    private const string Python = "/usr/bin/python3";

    /// <summary>openpyxl's view of the workbook (see read_workbook.py).</summary>
    public static async Task<JsonElement> ReadAsync(string path)
    {
        var (code, output, error) = await RunAsync(Python, [Path.Combine(RepoPaths.Root, "Portal.Tests", "Web", "Reports", "read_workbook.py"), path], TimeSpan.FromMinutes(3));
        Assert.False(error.Contains("No module named 'openpyxl'", StringComparison.Ordinal), "install python3-openpyxl (apt-get install python3-openpyxl; scripts/test.sh does)");
        Assert.True(code == 0, $"openpyxl could not read {path}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>Converts the workbook to PDF with LibreOffice and renders page 1 to artifacts/screenshots/NAME.png; returns the PNG's path.</summary>
    public static async Task<string> RenderFirstPageAsync(string path, string name)
    {
        Assert.True(File.Exists("/usr/bin/soffice"), "install libreoffice-calc-nogui (scripts/test.sh does)");
        Assert.True(File.Exists("/usr/bin/pdftoppm"), "install poppler-utils (scripts/test.sh does)");
        var folder = Directory.CreateTempSubdirectory("report-pdf").FullName;
        // Its own profile folder, so a LibreOffice already running (another test, a person) does not take the job over.
        var (code, output, error) = await RunAsync("/usr/bin/soffice",
            [$"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf", "--outdir", folder, path], TimeSpan.FromMinutes(4));
        var pdf = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".pdf");
        Assert.True(code == 0 && File.Exists(pdf), $"LibreOffice could not convert {path}: {output} {error}");
        var png = RepoPaths.Screenshot(name);
        var (rendered, _, renderError) = await RunAsync("/usr/bin/pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf, png[..^4]], TimeSpan.FromMinutes(1));
        Assert.True(rendered == 0 && File.Exists(png), $"pdftoppm could not render {pdf}: {renderError}");
        return png;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        Assert.True(File.Exists(file), $"{file} is missing: install it (scripts/test.sh does)");
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(file)} did not finish within {timeout.TotalMinutes:0} minutes");
        }

        return (process.ExitCode, await output, await error);
    }
}
