using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditsGoldOnboarding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsCorrect",
                table: "AuditSamples");

            migrationBuilder.RenameColumn(
                name: "ErrorType",
                table: "AuditSamples",
                newName: "TaskId");

            migrationBuilder.RenameColumn(
                name: "Comment",
                table: "AuditSamples",
                newName: "Note");

            migrationBuilder.AddColumn<double>(
                name: "AuditConfidence",
                table: "Projects",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "AuditMarginOfError",
                table: "Projects",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "AuditMinPerStratum",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "AuditSizing",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "AutoPauseThreshold",
                table: "Projects",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<int>(
                name: "AutoPauseWindow",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "OnboardingGoldTasks",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "OnboardingThreshold",
                table: "Projects",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<bool>(
                name: "ShowGoldFeedback",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Hold",
                table: "ProjectMembers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "HoldReason",
                table: "ProjectMembers",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "HoldSince",
                table: "ProjectMembers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OnboardedAt",
                table: "ProjectMembers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AnnotationVersion",
                table: "AuditSamples",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "AnnotatorId",
                table: "AuditSamples",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<bool>(
                name: "Fixed",
                table: "AuditSamples",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "LabelKey",
                table: "AuditSamples",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Outcome",
                table: "AuditSamples",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "ProjectId",
                table: "AuditSamples",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<bool>(
                name: "SentBack",
                table: "AuditSamples",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Source",
                table: "AuditSamples",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "DataJobId",
                table: "AuditRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Message",
                table: "AuditRuns",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MinPerStratum",
                table: "AuditRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "Percent",
                table: "AuditRuns",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "PlanJson",
                table: "AuditRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Population",
                table: "AuditRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "RequestedById",
                table: "AuditRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Sizing",
                table: "AuditRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Trigger",
                table: "AuditRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "WindowEnd",
                table: "AuditRuns",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<DateTime>(
                name: "WindowStart",
                table: "AuditRuns",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<int>(
                name: "Source",
                table: "Annotations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "AuditSampleErrors",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AuditSampleId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ErrorType = table.Column<int>(type: "INTEGER", nullable: false),
                    ControlName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LabelKey = table.Column<Guid>(type: "TEXT", nullable: true),
                    Start = table.Column<int>(type: "INTEGER", nullable: true),
                    End = table.Column<int>(type: "INTEGER", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditSampleErrors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AuditSampleErrors_AuditSamples_AuditSampleId",
                        column: x => x.AuditSampleId,
                        principalTable: "AuditSamples",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditSamples_ProjectId_AnnotatorId_ReviewedAt",
                table: "AuditSamples",
                columns: new[] { "ProjectId", "AnnotatorId", "ReviewedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditSamples_ProjectId_Outcome_Id",
                table: "AuditSamples",
                columns: new[] { "ProjectId", "Outcome", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditRuns_ProjectId_WindowEnd",
                table: "AuditRuns",
                columns: new[] { "ProjectId", "WindowEnd" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditSampleErrors_AuditSampleId",
                table: "AuditSampleErrors",
                column: "AuditSampleId");

            migrationBuilder.CreateIndex(
                name: "IX_AuditSampleErrors_ProjectId_ErrorType_LabelKey",
                table: "AuditSampleErrors",
                columns: new[] { "ProjectId", "ErrorType", "LabelKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditSampleErrors");

            migrationBuilder.DropIndex(
                name: "IX_AuditSamples_ProjectId_AnnotatorId_ReviewedAt",
                table: "AuditSamples");

            migrationBuilder.DropIndex(
                name: "IX_AuditSamples_ProjectId_Outcome_Id",
                table: "AuditSamples");

            migrationBuilder.DropIndex(
                name: "IX_AuditRuns_ProjectId_WindowEnd",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "AuditConfidence",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "AuditMarginOfError",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "AuditMinPerStratum",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "AuditSizing",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "AutoPauseThreshold",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "AutoPauseWindow",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "OnboardingGoldTasks",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "OnboardingThreshold",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "ShowGoldFeedback",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "Hold",
                table: "ProjectMembers");

            migrationBuilder.DropColumn(
                name: "HoldReason",
                table: "ProjectMembers");

            migrationBuilder.DropColumn(
                name: "HoldSince",
                table: "ProjectMembers");

            migrationBuilder.DropColumn(
                name: "OnboardedAt",
                table: "ProjectMembers");

            migrationBuilder.DropColumn(
                name: "AnnotationVersion",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "AnnotatorId",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "Fixed",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "LabelKey",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "ProjectId",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "SentBack",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "AuditSamples");

            migrationBuilder.DropColumn(
                name: "DataJobId",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "Message",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "MinPerStratum",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "Percent",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "PlanJson",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "Population",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "RequestedById",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "Sizing",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "Trigger",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "WindowEnd",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "WindowStart",
                table: "AuditRuns");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "Annotations");

            migrationBuilder.RenameColumn(
                name: "TaskId",
                table: "AuditSamples",
                newName: "ErrorType");

            migrationBuilder.RenameColumn(
                name: "Note",
                table: "AuditSamples",
                newName: "Comment");

            migrationBuilder.AddColumn<bool>(
                name: "IsCorrect",
                table: "AuditSamples",
                type: "INTEGER",
                nullable: true);
        }
    }
}
