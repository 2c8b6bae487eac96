namespace Portal.Core.ImportExport;

public enum DataJobKind
{
    Import = 1,
    Export = 2,
}
