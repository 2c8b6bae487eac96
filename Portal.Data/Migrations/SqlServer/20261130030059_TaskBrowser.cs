using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class TaskBrowser : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AnnotationSpans_AnnotationId",
                table: "AnnotationSpans");

            migrationBuilder.DropIndex(
                name: "IX_AnnotationAnswers_AnnotationId",
                table: "AnnotationAnswers");

            migrationBuilder.AddColumn<DateTime>(
                name: "DeletedAt",
                table: "Tasks",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DeletedById",
                table: "Tasks",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ImportJobId_Id",
                table: "Tasks",
                columns: new[] { "ImportJobId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_Agreement_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "Agreement", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_CreatedAt_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_DeletedAt_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "DeletedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_IsGold_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "IsGold", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ProjectId_Priority_Id",
                table: "Tasks",
                columns: new[] { "ProjectId", "Priority", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditLog_Action_At",
                table: "AuditLog",
                columns: new[] { "Action", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditLog_UserId_At",
                table: "AuditLog",
                columns: new[] { "UserId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AnnotationSpans_AnnotationId_LabelKey",
                table: "AnnotationSpans",
                columns: new[] { "AnnotationId", "LabelKey" });

            migrationBuilder.CreateIndex(
                name: "IX_AnnotationAnswers_AnnotationId_LabelKey",
                table: "AnnotationAnswers",
                columns: new[] { "AnnotationId", "LabelKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_ImportJobId_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_Agreement_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_CreatedAt_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_DeletedAt_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_IsGold_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ProjectId_Priority_Id",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_AuditLog_Action_At",
                table: "AuditLog");

            migrationBuilder.DropIndex(
                name: "IX_AuditLog_UserId_At",
                table: "AuditLog");

            migrationBuilder.DropIndex(
                name: "IX_AnnotationSpans_AnnotationId_LabelKey",
                table: "AnnotationSpans");

            migrationBuilder.DropIndex(
                name: "IX_AnnotationAnswers_AnnotationId_LabelKey",
                table: "AnnotationAnswers");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "DeletedById",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_AnnotationSpans_AnnotationId",
                table: "AnnotationSpans",
                column: "AnnotationId");

            migrationBuilder.CreateIndex(
                name: "IX_AnnotationAnswers_AnnotationId",
                table: "AnnotationAnswers",
                column: "AnnotationId");
        }
    }
}
