using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DataJobProgress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "BytesDone",
                table: "DataJobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "BytesTotal",
                table: "DataJobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "HeartbeatAt",
                table: "DataJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Message",
                table: "DataJobs",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PendingJson",
                table: "DataJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_DataJobs_State",
                table: "DataJobs",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DataJobs_State",
                table: "DataJobs");

            migrationBuilder.DropColumn(
                name: "BytesDone",
                table: "DataJobs");

            migrationBuilder.DropColumn(
                name: "BytesTotal",
                table: "DataJobs");

            migrationBuilder.DropColumn(
                name: "HeartbeatAt",
                table: "DataJobs");

            migrationBuilder.DropColumn(
                name: "Message",
                table: "DataJobs");

            migrationBuilder.DropColumn(
                name: "PendingJson",
                table: "DataJobs");
        }
    }
}
