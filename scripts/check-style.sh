#!/usr/bin/env bash
# The house style of .editorconfig, enforced: exits non-zero (naming each file and line) when `dotnet format` would
# change anything. Run `dotnet format whitespace LabelRep.slnx && dotnet format style LabelRep.slnx --severity warn`
# to apply it. .ci/run calls this before the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet format whitespace "$here/LabelRep.slnx" --verify-no-changes
dotnet format style "$here/LabelRep.slnx" --verify-no-changes --severity warn
echo "style: as .editorconfig says"
