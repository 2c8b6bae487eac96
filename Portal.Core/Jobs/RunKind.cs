namespace Portal.Core.Jobs;

/// <summary>What a durable run does; each value has one <c>IRunKind</c> registered in the web project.</summary>
public enum RunKind
{
    Import = 1,
    Export = 2,

    /// <summary>An Excel report workbook (Portal.Web.Reports).</summary>
    Report = 3,
}
