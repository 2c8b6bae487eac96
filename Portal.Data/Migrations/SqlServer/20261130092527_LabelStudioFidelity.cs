using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class LabelStudioFidelity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LabelStudioJson",
                table: "Tasks",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LabelStudioJson",
                table: "Predictions",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LabelStudioJson",
                table: "GroundTruths",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SummaryJson",
                table: "DataJobs",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LabelStudioJson",
                table: "Annotations",
                type: "nvarchar(max)",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LabelStudioJson",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "LabelStudioJson",
                table: "Predictions");

            migrationBuilder.DropColumn(
                name: "LabelStudioJson",
                table: "GroundTruths");

            migrationBuilder.DropColumn(
                name: "SummaryJson",
                table: "DataJobs");

            migrationBuilder.DropColumn(
                name: "LabelStudioJson",
                table: "Annotations");
        }
    }
}
