using Portal.Core.Security;
using Portal.Web.ImportExport;

namespace Portal.Web.Tasks;

/// <summary>
/// Exports a task browser selection with the /data page's export (a data job limited to the tasks); its download appears
/// on that page. Apart from <see cref="TaskBulkService"/> because data jobs need the host's job queue.
/// </summary>
public sealed class TaskExportService(TaskBulkService bulk, DataJobService dataJobs)
{
    public async Task<(Guid JobId, BulkResult Result)> StartAsync(PortalPrincipal user, Guid projectId, TaskSelection selection, ExportFormat format, string requestKey, CancellationToken ct)
    {
        var (ids, result) = await bulk.ExportableAsync(user, projectId, selection, ct);
        var job = await dataJobs.StartExportAsync(user, projectId, new ExportOptions(format, ExportFilter.All, TaskIds: ids), requestKey, ct);
        return (job, result);
    }
}
