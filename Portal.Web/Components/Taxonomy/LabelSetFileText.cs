using Microsoft.AspNetCore.Components.Forms;

namespace Portal.Web.Components.Taxonomy;

/// <summary>A label set file picked in the browser (JSON, CSV or a Label Studio config) as text, or why it cannot be read.</summary>
public static class LabelSetFileText
{
    private const long MaxBytes = 5 * 1024 * 1024;

    public static async Task<(string? Content, string? Error)> ReadAsync(IBrowserFile file)
    {
        if (file.Size > MaxBytes)
        {
            return (null, $"{file.Name} is {file.Size / 1024 / 1024.0:0.0} MB; a label set file is at most 5 MB.");
        }

        try
        {
            await using var stream = file.OpenReadStream(MaxBytes);
            using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
            return (await reader.ReadToEndAsync(), null);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return (null, $"{file.Name} is not UTF-8 text. Save it as \"CSV UTF-8\" (or JSON, or XML) and try again.");
        }
    }
}
