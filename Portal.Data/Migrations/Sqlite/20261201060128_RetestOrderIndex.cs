using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RetestOrderIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_UserId_SubmittedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "UserId", "SubmittedAt" });

            // Statistics for the new index at once, as for QueueRejectedIndex: without them SQLite's planner may take it
            // for any query on a project's annotations. Analyzing one index reads only that index.
            migrationBuilder.Sql("ANALYZE \"IX_Annotations_ProjectId_UserId_SubmittedAt\";", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Annotations_ProjectId_UserId_SubmittedAt",
                table: "Annotations");
        }
    }
}
