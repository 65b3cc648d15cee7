#!/usr/bin/env bash
# Runs LabelRep's whole test suite (installing missing Debian packages first) and prints 'N passed, N failed'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh" --test
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
set +e
dotnet test "$here/tests/LabelRep.Tests/LabelRep.Tests.csproj" -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { grep -E "^ +$1: +[0-9]+$" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
if grep -qE "^Total tests: +[0-9]+" "$log"; then
  echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
rm -f "$log"
exit "$status"
