using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class TaskCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProjectTaskCounters",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Total = table.Column<int>(type: "int", nullable: false),
                    Completed = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectTaskCounters", x => x.ProjectId);
                    table.ForeignKey(
                        name: "FK_ProjectTaskCounters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Progress is read from this table, kept by triggers (docs/decisions/0019-task-counters.md), counted once here.
            // In EXEC: a CREATE TRIGGER must begin its batch, and the idempotent script puts each step inside IF … BEGIN … END.
            foreach (var statement in TaskCounterTriggers.SqlServerCreate)
            {
                migrationBuilder.Sql($"EXEC(N'{statement.Replace("'", "''", StringComparison.Ordinal)}')");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in TaskCounterTriggers.SqlServerDrop)
            {
                migrationBuilder.Sql(statement);
            }

            migrationBuilder.DropTable(
                name: "ProjectTaskCounters");
        }
    }
}
