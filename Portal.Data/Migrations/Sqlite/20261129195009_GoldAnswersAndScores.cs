using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GoldAnswersAndScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "GoldAnswers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TaxonomyVersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResultJson = table.Column<string>(type: "TEXT", nullable: false),
                    MarkedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    MarkedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GoldAnswers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GoldAnswers_Tasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "Tasks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "GoldScores",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AnnotationId = table.Column<long>(type: "INTEGER", nullable: false),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Score = table.Column<double>(type: "REAL", nullable: false),
                    SpanF1Exact = table.Column<double>(type: "REAL", nullable: true),
                    SpanF1Overlap = table.Column<double>(type: "REAL", nullable: true),
                    ChoiceAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    PerLabelJson = table.Column<string>(type: "TEXT", nullable: false),
                    ScoredAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GoldScores", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GoldScores_Annotations_AnnotationId",
                        column: x => x.AnnotationId,
                        principalTable: "Annotations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_GoldAnswers_ProjectId",
                table: "GoldAnswers",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_GoldAnswers_TaskId",
                table: "GoldAnswers",
                column: "TaskId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GoldScores_AnnotationId",
                table: "GoldScores",
                column: "AnnotationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GoldScores_ProjectId_UserId_ScoredAt",
                table: "GoldScores",
                columns: new[] { "ProjectId", "UserId", "ScoredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GoldAnswers");

            migrationBuilder.DropTable(
                name: "GoldScores");
        }
    }
}
