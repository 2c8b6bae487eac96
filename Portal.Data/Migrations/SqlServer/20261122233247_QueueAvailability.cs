using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class QueueAvailability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_State_Priority_Id",
                table: "Tasks");

            migrationBuilder.AddColumn<bool>(
                name: "IsAvailable",
                table: "Tasks",
                type: "bit",
                nullable: false,
                defaultValue: false);

            // Existing tasks: claimable exactly when they still want annotators.
            migrationBuilder.Sql("UPDATE Tasks SET IsAvailable = CASE WHEN AssignedCount < TargetAnnotations THEN 1 ELSE 0 END");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_IsAvailable_IsGold_Priority_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "IsAvailable", "IsGold", "Priority", "Id" },
                descending: new[] { false, false, false, true, false });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_IsAvailable_IsGold_Priority_Id",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "IsAvailable",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_State_Priority_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "State", "Priority", "Id" },
                descending: new[] { false, false, true, false });
        }
    }
}
