using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PairTaskScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PairScoreSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserA = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserB = table.Column<Guid>(type: "TEXT", nullable: false),
                    TaxonomyVersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MaxAnnotationId = table.Column<long>(type: "INTEGER", nullable: false),
                    SharedTasks = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PairScoreSets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PairScoreSets_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PairTaskScores",
                columns: table => new
                {
                    SetId = table.Column<long>(type: "INTEGER", nullable: false),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    Score = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PairTaskScores", x => new { x.SetId, x.TaskId });
                    table.ForeignKey(
                        name: "FK_PairTaskScores_PairScoreSets_SetId",
                        column: x => x.SetId,
                        principalTable: "PairScoreSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PairScoreSets_ProjectId_UserA_UserB",
                table: "PairScoreSets",
                columns: new[] { "ProjectId", "UserA", "UserB" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PairTaskScores_SetId_Score_TaskId",
                table: "PairTaskScores",
                columns: new[] { "SetId", "Score", "TaskId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PairTaskScores");

            migrationBuilder.DropTable(
                name: "PairScoreSets");
        }
    }
}
