#!/usr/bin/env bash
# Runs the whole test suite as other x86-64 CPUs would, on this machine: libtorch picks its kernels by
# ATEN_CPU_CAPABILITY (default, avx2, avx512) and oneDNN by ONEDNN_MAX_CPU_ISA (SSE41, AVX, AVX2, AVX512_CORE).
# Prints one 'N passed, N failed' line per setting; exits non-zero if any setting fails.
#   scripts/test-cpus.sh                 the four settings below
#   scripts/test-cpus.sh "avx2 AVX"      only the settings given, each as "ATEN ONEDNN" ("native" = the CPU's own)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
settings=("$@")
[[ ${#settings[@]} -eq 0 ]] && settings=("native" "default SSE41" "avx2 AVX" "avx2 AVX2")
has_avx512=$(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)
logs=$(mktemp -d)
failed=0
summary=()
for s in "${settings[@]}"; do
  read -r aten onednn <<<"$s"
  label="$s"
  env_args=()
  if [[ "$aten" != "native" ]]; then
    env_args=("ATEN_CPU_CAPABILITY=$aten" "ONEDNN_MAX_CPU_ISA=$onednn")
    label="ATEN_CPU_CAPABILITY=$aten ONEDNN_MAX_CPU_ISA=$onednn"
    # A capability above the CPU's is capped by libtorch and oneDNN at what the CPU has; say so.
    [[ "$aten" == avx512 && "$has_avx512" == no ]] && label+=" (this CPU has no AVX-512: runs as avx2)"
  else
    label="native ($(grep -qw avx512f /proc/cpuinfo && echo avx512 || (grep -qw avx2 /proc/cpuinfo && echo avx2 || echo default)))"
  fi
  log="$logs/$(echo "$s" | tr ' ' '_').log"
  start=$(date +%s)
  env "${env_args[@]}" "$here/scripts/test.sh" >"$log" 2>&1
  status=$?
  line=$(grep -E "^tests: " "$log" | tail -1)
  [[ -z "$line" ]] && line="tests: did not run (see $log)"
  secs=$(( $(date +%s) - start ))
  result="$label: ${line#tests: } (${secs} s)"
  echo "$result"
  summary+=("$result")
  if [[ $status -ne 0 ]]; then
    failed=1
    grep -E "^\s+Failed |\[FAIL\]" "$log" | head -20 | sed 's/^/    /'
    echo "    full log: $log"
  fi
done
[[ $failed -eq 0 ]] && rm -rf "$logs"
exit $failed
