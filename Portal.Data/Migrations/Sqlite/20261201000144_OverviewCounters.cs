using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OverviewCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProjectDayCounters",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Submitted = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectDayCounters", x => new { x.ProjectId, x.Day });
                    table.ForeignKey(
                        name: "FK_ProjectDayCounters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectOverlapCounters",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Submitted = table.Column<int>(type: "INTEGER", nullable: false),
                    Tasks = table.Column<int>(type: "INTEGER", nullable: false),
                    Completed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectOverlapCounters", x => new { x.ProjectId, x.Submitted });
                    table.ForeignKey(
                        name: "FK_ProjectOverlapCounters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The Overview reads these tables, kept by triggers (docs/decisions/0025-overview-counters.md), counted once here.
            migrationBuilder.Sql(OverviewCounterTriggers.SqliteCreate);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(OverviewCounterTriggers.SqliteDrop);
            migrationBuilder.DropTable(
                name: "ProjectDayCounters");

            migrationBuilder.DropTable(
                name: "ProjectOverlapCounters");
        }
    }
}
