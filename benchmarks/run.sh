#!/usr/bin/env bash
# Runs the benchmarks (agreement engine, next-task queue, import, labeling during an import, audit sampling, audit queue, the nightly drift checks, the project home's task browser, the Excel report workbook) and prints their figures. Installs the peers it
# compares against (Debian's python3-nltk and python3-numpy) and, for the web suite (the published app driven by headless
# Chromium pages; not part of "all"), Debian's chromium, when missing.
# Usage: benchmarks/run.sh [--suite all|agreement|queue|import|import-load|audits|audit-queue|drift|project-home|reports|web|web-services|overview] [--pages N] [--rounds N] [--app-nice N] [--no-demo] [--folder DIR] [--rows N] [--annotations N] [--waiting N] [--units N] [--tasks N] [--no-peers] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
missing=()
/usr/bin/python3 -c "import nltk, numpy" 2>/dev/null || missing+=(python3-nltk python3-numpy)
# The web suite drives Debian's Chromium (never a downloaded browser).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The web suite reads the app's live heap with dotnet-gcdump (a NuGet tool).
if [[ " $* " == *" web "* ]] && ! command -v dotnet-gcdump >/dev/null && [ ! -x "$HOME/.dotnet/tools/dotnet-gcdump" ]; then
  dotnet tool install -g dotnet-gcdump --version 10.0.750501 >/dev/null
fi
# Quiet unless the build fails; then its errors, not a silent exit.
if ! build=$(dotnet build Portal.Web -c Release -v quiet -nologo 2>&1); then echo "$build" >&2; exit 1; fi
dotnet run --project benchmarks/Portal.Benchmarks -c Release -- --portal Portal.Web/bin/Release/net10.0/Portal.Web.dll "$@"
