using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class QueueCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProjectQueueCounters",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ReviewRequested = table.Column<int>(type: "int", nullable: false),
                    Adjudication = table.Column<int>(type: "int", nullable: false),
                    Claimable = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectQueueCounters", x => x.ProjectId);
                    table.ForeignKey(
                        name: "FK_ProjectQueueCounters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectUserQueueCounters",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ReviewRequested = table.Column<int>(type: "int", nullable: false),
                    Adjudication = table.Column<int>(type: "int", nullable: false),
                    Claimable = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectUserQueueCounters", x => new { x.ProjectId, x.UserId });
                    table.ForeignKey(
                        name: "FK_ProjectUserQueueCounters_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Queue sizes are read from these tables, kept by triggers (docs/decisions/0023-queue-counters.md), counted once here.
            // In EXEC: a CREATE TRIGGER must begin its batch, and the idempotent script puts each step inside IF … BEGIN … END.
            foreach (var statement in QueueCounterTriggers.SqlServerCreate)
            {
                migrationBuilder.Sql($"EXEC(N'{statement.Replace("'", "''", StringComparison.Ordinal)}')");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QueueCounterTriggers.SqlServerDrop)
            {
                migrationBuilder.Sql(statement);
            }

            migrationBuilder.DropTable(
                name: "ProjectQueueCounters");

            migrationBuilder.DropTable(
                name: "ProjectUserQueueCounters");
        }
    }
}
