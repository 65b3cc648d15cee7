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
  # Repeat each failure (name, message, first stack lines) at the end, where a truncated log still shows it.
  if grep -qE "^ +Failed [A-Za-z]" "$log"; then
    echo "---- failed tests ----"
    awk '/^ +Failed [A-Za-z]/ {show=1; n=0} /^ +Passed [A-Za-z]/ {show=0} show && n < 25 {print; n++}' "$log"
    echo "----------------------"
  fi
  echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi
rm -f "$log"
exit "$status"
