namespace Portal.Core.ImportExport;

/// <summary>A file that cannot be read as its format; the message names the file and the line or task.</summary>
public sealed class DataFormatException(string message) : Exception(message);
