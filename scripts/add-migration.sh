#!/usr/bin/env bash
# Adds a migration with the same name to both providers, so the two sets stay in step.
# Usage: scripts/add-migration.sh NAME
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh NAME}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite SqlServer; do
  dotnet ef migrations add "$name" \
    --project Portal.Data --startup-project Portal.Data \
    --context "${provider}PortalDbContext" \
    --output-dir "Migrations/$provider" --namespace "Portal.Data.Migrations.$provider"
done
# dotnet ef puts a first model snapshot under a folder named after its namespace; keep it beside its migrations.
for provider in Sqlite SqlServer; do
  if [ -d "Portal.Data/Portal/Data/Migrations/$provider" ]; then
    mv Portal.Data/Portal/Data/Migrations/$provider/*.cs "Portal.Data/Migrations/$provider/"
  fi
done
rm -rf Portal.Data/Portal
echo "Added $name for Sqlite and SqlServer. Data/MigrationsConsistencyTests checks nothing is pending."
