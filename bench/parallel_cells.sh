#!/usr/bin/env bash
# Study throughput with cells in parallel against one cell at a time (issue: speed, goal 3), in one run.
# Runs the same study ROUNDS times each way, alternating: sequential (--parallel 1 --threads CORES) and parallel
# (--parallel CORES --threads 1), each into a fresh folder. Prints the wall time of each, cells per hour, the ratio
# parallel/sequential, and checks that every pair of results.db files is equal apart from timings
# (scripts/compare-db.py). Last, one machine-readable line:
#   summary {"cells": ..., "sequential_s": ..., "parallel_s": ..., "ratio": ..., "results_equal": true|false}
#   bench/parallel_cells.sh [--preset quick | --spec FILE] [--rounds N] [--parallel K] [--out DIR]
# Default: the quick preset, 1 round, K = the number of cores. The quick preset takes 15–20 minutes a side on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
study=(--preset quick) rounds=1 parallel="$(nproc)" out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) study=(--preset "$2"); shift 2 ;;
    --spec) study=(--spec "$(realpath "$2")"); shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --parallel) parallel="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench/parallel_cells.sh: unknown argument '$1' (see the header of this script)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$parallel" =~ ^[1-9][0-9]*$ ]] || { echo "bench/parallel_cells.sh: --rounds and --parallel take a positive number" >&2; exit 2; }
out="${out:-$(mktemp -d)}"
mkdir -p "$out"
cores="$(nproc)"
"$here/labelrep" --help >/dev/null   # build once before timing
times="$out/times.tsv"
: > "$times"
for r in $(seq 1 "$rounds"); do
  for side in sequential parallel; do
    dir="$out/$side-$r"
    rm -rf "$dir"
    if [[ $side == sequential ]]; then args=(--parallel 1 --threads "$cores"); else args=(--parallel "$parallel" --threads "$(( cores / parallel > 0 ? cores / parallel : 1 ))"); fi
    echo "round $r/$rounds: $side (${args[*]}) → $dir" >&2
    start=$EPOCHREALTIME
    "$here/labelrep" study "${study[@]}" --out "$dir" "${args[@]}" > "$dir.log" 2>&1 || { echo "the $side study failed; its log: $dir.log" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\n' "$side" "$r" "$start" "$EPOCHREALTIME" >> "$times"
  done
done
/usr/bin/python3 - "$out" "$rounds" "$here" <<'PY'
import json, sqlite3, statistics, subprocess, sys
out, rounds, here = sys.argv[1], int(sys.argv[2]), sys.argv[3]
secs = {"sequential": [], "parallel": []}
for line in open(f"{out}/times.tsv"):
    side, _, start, end = line.split("\t")
    secs[side].append(float(end) - float(start))
db = sqlite3.connect(f"file:{out}/sequential-1/results.db?mode=ro", uri=True)
cells = db.execute("select count(*) from runs").fetchone()[0]
equal = True
for r in range(1, rounds + 1):
    for other in ([f"parallel-{r}"] + ([f"sequential-{r}"] if r > 1 else [])):
        res = subprocess.run([f"{here}/scripts/compare-db.py", f"{out}/sequential-1/results.db", f"{out}/{other}/results.db"], capture_output=True, text=True)
        print(f"results.db sequential-1 vs {other}: {'equal' if res.returncode == 0 else 'DIFFERENT'}")
        if res.returncode != 0:
            print(res.stdout)
            equal = False
seq, par = statistics.median(secs["sequential"]), statistics.median(secs["parallel"])
print(f"{'side':<12}{'wall s (median)':>18}{'cells/hour':>12}")
for side, s in (("sequential", seq), ("parallel", par)):
    print(f"{side:<12}{s:>18.1f}{cells * 3600 / s:>12.1f}")
print(f"parallel / sequential throughput: {seq / par:.2f}x over {cells} cells")
print("summary " + json.dumps({"cells": cells, "sequential_s": round(seq, 1), "parallel_s": round(par, 1), "ratio": round(seq / par, 3), "results_equal": equal}))
PY
