using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DriftChecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "Agreement",
                table: "RelabelItems",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Changed",
                table: "RelabelItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousResultJson",
                table: "RelabelItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RelabelAnnotationId",
                table: "RelabelItems",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ActionTaken",
                table: "DriftFindings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "AffectedCount",
                table: "DriftFindings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "DismissReason",
                table: "DriftFindings",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastRunKey",
                table: "DriftFindings",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSeenAt",
                table: "DriftFindings",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<double>(
                name: "PValue",
                table: "DriftFindings",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Severity",
                table: "DriftFindings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "State",
                table: "DriftFindings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "StateChangedAt",
                table: "DriftFindings",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "StateChangedById",
                table: "DriftFindings",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Summary",
                table: "DriftFindings",
                type: "TEXT",
                maxLength: 1000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "DriftFindings",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "GuidelineNumber",
                table: "Annotations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LabeledUnderVersionId",
                table: "Annotations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DriftFindingItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DriftFindingId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    AnnotationId = table.Column<long>(type: "INTEGER", nullable: true),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Since = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    RelabelItemId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftFindingItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DriftFindingItems_DriftFindings_DriftFindingId",
                        column: x => x.DriftFindingId,
                        principalTable: "DriftFindings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DriftRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunKey = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    CompletedChecks = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NewFindings = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    Message = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DriftRuns_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DriftSettings",
                columns: table => new
                {
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TaxonomyCheck = table.Column<bool>(type: "INTEGER", nullable: false),
                    DistributionCheck = table.Column<bool>(type: "INTEGER", nullable: false),
                    AgreementCheck = table.Column<bool>(type: "INTEGER", nullable: false),
                    GoldCheck = table.Column<bool>(type: "INTEGER", nullable: false),
                    AgeCheck = table.Column<bool>(type: "INTEGER", nullable: false),
                    RetestCheck = table.Column<bool>(type: "INTEGER", nullable: false),
                    TaxonomyAction = table.Column<int>(type: "INTEGER", nullable: false),
                    DistributionAction = table.Column<int>(type: "INTEGER", nullable: false),
                    AgreementAction = table.Column<int>(type: "INTEGER", nullable: false),
                    GoldAction = table.Column<int>(type: "INTEGER", nullable: false),
                    AgeAction = table.Column<int>(type: "INTEGER", nullable: false),
                    RetestAction = table.Column<int>(type: "INTEGER", nullable: false),
                    RelabelCapPerNight = table.Column<int>(type: "INTEGER", nullable: false),
                    RelabelTarget = table.Column<int>(type: "INTEGER", nullable: false),
                    WindowDays = table.Column<int>(type: "INTEGER", nullable: false),
                    BaselineDays = table.Column<int>(type: "INTEGER", nullable: false),
                    ShiftPValue = table.Column<double>(type: "REAL", nullable: false),
                    ShiftJsDistance = table.Column<double>(type: "REAL", nullable: false),
                    ShiftMinItems = table.Column<int>(type: "INTEGER", nullable: false),
                    EwmaLambda = table.Column<double>(type: "REAL", nullable: false),
                    EwmaWidth = table.Column<double>(type: "REAL", nullable: false),
                    GoldWindow = table.Column<int>(type: "INTEGER", nullable: false),
                    GoldDrop = table.Column<double>(type: "REAL", nullable: false),
                    RetestRatePercent = table.Column<int>(type: "INTEGER", nullable: false),
                    RetestMinDays = table.Column<int>(type: "INTEGER", nullable: false),
                    RetestThreshold = table.Column<double>(type: "REAL", nullable: false),
                    RetestMinPairs = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftSettings", x => x.ProjectId);
                    table.ForeignKey(
                        name: "FK_DriftSettings_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LabelDefinitionVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LabelKey = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    TaxonomyVersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Examples = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CounterExamples = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ChangedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LabelDefinitionVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LabelDefinitionVersions_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Link = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReadAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EmailedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Notifications_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Retests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TaskId = table.Column<long>(type: "INTEGER", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OriginalAnnotationId = table.Column<long>(type: "INTEGER", nullable: false),
                    OriginalResultJson = table.Column<string>(type: "TEXT", nullable: false),
                    OriginalSubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ServedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DraftJson = table.Column<string>(type: "TEXT", nullable: true),
                    ResultJson = table.Column<string>(type: "TEXT", nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Retests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Retests_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Retests_Tasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "Tasks",
                        principalColumn: "Id");
                });

            migrationBuilder.CreateIndex(
                name: "IX_RelabelItems_AssignedToUserId_ResolvedAt_Id",
                table: "RelabelItems",
                columns: new[] { "AssignedToUserId", "ResolvedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_RelabelItems_DriftFindingId",
                table: "RelabelItems",
                column: "DriftFindingId");

            migrationBuilder.CreateIndex(
                name: "IX_DriftFindings_ProjectId_Kind_Subject_State",
                table: "DriftFindings",
                columns: new[] { "ProjectId", "Kind", "Subject", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_DriftFindings_ProjectId_State_Severity",
                table: "DriftFindings",
                columns: new[] { "ProjectId", "State", "Severity" });

            migrationBuilder.CreateIndex(
                name: "IX_DriftFindingItems_DriftFindingId_Id",
                table: "DriftFindingItems",
                columns: new[] { "DriftFindingId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_DriftFindingItems_RelabelItemId",
                table: "DriftFindingItems",
                column: "RelabelItemId");

            migrationBuilder.CreateIndex(
                name: "IX_DriftRuns_ProjectId_RunKey",
                table: "DriftRuns",
                columns: new[] { "ProjectId", "RunKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LabelDefinitionVersions_ProjectId_LabelKey_Number",
                table: "LabelDefinitionVersions",
                columns: new[] { "ProjectId", "LabelKey", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_EmailedAt_UserId",
                table: "Notifications",
                columns: new[] { "EmailedAt", "UserId" });

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_UserId_Key",
                table: "Notifications",
                columns: new[] { "UserId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_UserId_ReadAt_CreatedAt",
                table: "Notifications",
                columns: new[] { "UserId", "ReadAt", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Retests_OriginalAnnotationId",
                table: "Retests",
                column: "OriginalAnnotationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Retests_ProjectId_UserId_SubmittedAt",
                table: "Retests",
                columns: new[] { "ProjectId", "UserId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Retests_TaskId_UserId",
                table: "Retests",
                columns: new[] { "TaskId", "UserId" });

            // Work submitted before this migration was labeled under the version of its last submit revision.
            migrationBuilder.Sql(@"UPDATE ""Annotations"" SET ""LabeledUnderVersionId"" = (SELECT r.""TaxonomyVersionId"" FROM ""AnnotationRevisions"" r WHERE r.""AnnotationId"" = ""Annotations"".""Id"" AND r.""Reason"" = 2 ORDER BY r.""Number"" DESC LIMIT 1) WHERE ""SubmittedAt"" IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DriftFindingItems");

            migrationBuilder.DropTable(
                name: "DriftRuns");

            migrationBuilder.DropTable(
                name: "DriftSettings");

            migrationBuilder.DropTable(
                name: "LabelDefinitionVersions");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "Retests");

            migrationBuilder.DropIndex(
                name: "IX_RelabelItems_AssignedToUserId_ResolvedAt_Id",
                table: "RelabelItems");

            migrationBuilder.DropIndex(
                name: "IX_RelabelItems_DriftFindingId",
                table: "RelabelItems");

            migrationBuilder.DropIndex(
                name: "IX_DriftFindings_ProjectId_Kind_Subject_State",
                table: "DriftFindings");

            migrationBuilder.DropIndex(
                name: "IX_DriftFindings_ProjectId_State_Severity",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "Agreement",
                table: "RelabelItems");

            migrationBuilder.DropColumn(
                name: "Changed",
                table: "RelabelItems");

            migrationBuilder.DropColumn(
                name: "PreviousResultJson",
                table: "RelabelItems");

            migrationBuilder.DropColumn(
                name: "RelabelAnnotationId",
                table: "RelabelItems");

            migrationBuilder.DropColumn(
                name: "ActionTaken",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "AffectedCount",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "DismissReason",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "LastRunKey",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "LastSeenAt",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "PValue",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "Severity",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "State",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "StateChangedAt",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "StateChangedById",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "Summary",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "DriftFindings");

            migrationBuilder.DropColumn(
                name: "GuidelineNumber",
                table: "Annotations");

            migrationBuilder.DropColumn(
                name: "LabeledUnderVersionId",
                table: "Annotations");
        }
    }
}
