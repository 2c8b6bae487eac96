using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class QueueRejectedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_UserId_Status_UpdatedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "UserId", "Status", "UpdatedAt" });

            // Statistics for the new index at once: without them SQLite's planner took it for every query on a project's
            // annotations (it looks selective on ProjectId alone) and the overview's 30-day throughput went from 0.4 s
            // to 7.5 s at a million tasks. Analyzing one index reads only that index.
            migrationBuilder.Sql("ANALYZE \"IX_Annotations_ProjectId_UserId_Status_UpdatedAt\";", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Annotations_ProjectId_UserId_Status_UpdatedAt",
                table: "Annotations");
        }
    }
}
