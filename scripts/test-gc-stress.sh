#!/usr/bin/env bash
# Runs the whole test suite with a tiny .NET allocation budget (DOTNET_GCgen0size), so garbage collections, and the
# finalizer thread after them, run hundreds of times more often than usual. It finds TorchSharp objects freed by the
# finalizer while libtorch still uses them (a crash that shows once in many ordinary runs). Extra arguments go to
# scripts/test.sh's environment unchanged; it prints the same 'N passed, N failed' line.
#   scripts/test-gc-stress.sh                 budget 256 KB
#   GEN0=0x10000 scripts/test-gc-stress.sh    budget 64 KB
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_GCgen0size="${GEN0:-0x40000}"
echo "test-gc-stress: DOTNET_GCgen0size=$DOTNET_GCgen0size"
exec "$here/scripts/test.sh"
