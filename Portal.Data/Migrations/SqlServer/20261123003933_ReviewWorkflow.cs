using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ReviewWorkflow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "Agreement",
                table: "Tasks",
                type: "float",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AnonymousAdjudication",
                table: "Projects",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "ConsensusVoteThreshold",
                table: "Projects",
                type: "float",
                nullable: false,
                defaultValue: 0.51);

            migrationBuilder.AlterColumn<string>(
                name: "Rule",
                table: "GroundTruths",
                type: "nvarchar(400)",
                maxLength: 400,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(200)",
                oldMaxLength: 200,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Note",
                table: "GroundTruths",
                type: "nvarchar(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReasonCode",
                table: "GroundTruths",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "ReviewRequested",
                table: "Annotations",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "TaskEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ProjectId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TaskId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    ActorId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Agreement = table.Column<double>(type: "float", nullable: true),
                    Detail = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TaskEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TaskEvents_Tasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "Tasks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_State_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Annotations_ProjectId_ReviewRequested_Status_SubmittedAt",
                table: "Annotations",
                columns: new[] { "ProjectId", "ReviewRequested", "Status", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_TaskEvents_TaskId_At",
                table: "TaskEvents",
                columns: new[] { "TaskId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TaskEvents");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_State_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Annotations_ProjectId_ReviewRequested_Status_SubmittedAt",
                table: "Annotations");

            migrationBuilder.DropColumn(
                name: "Agreement",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "AnonymousAdjudication",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "ConsensusVoteThreshold",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "Note",
                table: "GroundTruths");

            migrationBuilder.DropColumn(
                name: "ReasonCode",
                table: "GroundTruths");

            migrationBuilder.DropColumn(
                name: "ReviewRequested",
                table: "Annotations");

            migrationBuilder.AlterColumn<string>(
                name: "Rule",
                table: "GroundTruths",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(400)",
                oldMaxLength: 400,
                oldNullable: true);
        }
    }
}
