using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ImportExport;

/// <summary>
/// The duplicate key of a task's text: SHA-256 of the NFC-normalised text, lower-case hex. Line endings are
/// unified first so that the same text exported from Windows and Linux is one task.
/// </summary>
public static class ContentHash
{
    public static string Of(string text)
    {
        var normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal).Normalize(NormalizationForm.FormC);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }
}
