using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
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
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Submitted = table.Column<int>(type: "int", nullable: false)
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
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Submitted = table.Column<int>(type: "int", nullable: false),
                    Tasks = table.Column<int>(type: "int", nullable: false),
                    Completed = table.Column<int>(type: "int", nullable: false)
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
            // In EXEC: a CREATE TRIGGER must begin its batch, and the idempotent script puts each step inside IF … BEGIN … END.
            foreach (var statement in OverviewCounterTriggers.SqlServerCreate)
            {
                migrationBuilder.Sql($"EXEC(N'{statement.Replace("'", "''", StringComparison.Ordinal)}')");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in OverviewCounterTriggers.SqlServerDrop)
            {
                migrationBuilder.Sql(statement);
            }

            migrationBuilder.DropTable(
                name: "ProjectDayCounters");

            migrationBuilder.DropTable(
                name: "ProjectOverlapCounters");
        }
    }
}
