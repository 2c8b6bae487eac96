#!/usr/bin/env bash
# Runs every Portal test. Installs what the tests need first, so it works on a fresh Debian machine:
# Debian's chromium (browser tests, never a downloaded browser), Node.js for the test OpenID Connect
# server, the Azure Storage emulator (azurite) and the SMTP server (smtp-server) from npm. Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
# Report workbooks are read back by independent readers: openpyxl (for Debian's python3), LibreOffice and pdftoppm.
/usr/bin/python3 -c "import openpyxl" >/dev/null 2>&1 || missing+=(python3-openpyxl)
[ -x /usr/bin/soffice ] || missing+=(libreoffice-calc-nogui)
[ -x /usr/bin/pdftoppm ] || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} with apt-get…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "Installing the test OpenID Connect server, Azure Storage emulator and SMTP server (npm ci)…"
npm ci --prefix Portal.Tests/Web/Auth/oidc-server --no-audit --no-fund --loglevel=error
npm ci --prefix Portal.Tests/Web/ImportExport/azurite --no-audit --no-fund --loglevel=error
npm ci --prefix Portal.Tests/Web/Notifications/smtp-server --no-audit --no-fund --loglevel=error

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Portal.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line for CI readers: "N passed, N failed, N skipped".
passed=$(grep -E '^ +Passed: +[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
failed=$(grep -E '^ +Failed: +[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
skipped=$(grep -E '^ +Skipped: +[0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
if [ -n "$passed$failed" ]; then
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
fi
exit "$status"
