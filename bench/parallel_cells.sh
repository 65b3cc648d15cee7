#!/usr/bin/env bash
# Study throughput with cells in parallel against one cell at a time (issue: speed, goal 3), in one run.
# Runs the same study ROUNDS times each way, alternating: sequential (--parallel 1 --threads CORES) and parallel
# (--parallel CORES --threads 1), each into a fresh folder. Prints the wall time of each, cells per hour, the ratio
# parallel/sequential, and checks that every pair of results.db files is equal apart from timings
# (scripts/compare-db.py). Last, one machine-readable line:
#   summary {"cells": ..., "sequential_s": ..., "parallel_s": ..., "ratio": ..., "results_equal": true|false, "ceiling": {...}}
#   bench/parallel_cells.sh [--preset quick | --spec FILE] [--rounds N] [--parallel K] [--out DIR] [--ceiling-only]
# Default: the quick preset, 1 round, K = the number of cores. The quick preset takes 15–20 minutes a side on 2 cores.
# First, in about 3 minutes, the ceiling this machine puts on the ratio: smallcnn's training step (batch 64, as the
# quick preset trains) and attack step (batch 200, as it attacks), with the linear head and the label decoder, timed by
# `labelrep bench` in one process with all cores' threads, then in K processes at once with cores/K threads each; the
# ceiling is the K processes' summed images/s over the one process's. A study is mostly these steps, so its ratio
# stays near them. --ceiling-only stops there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
study=(--preset quick) rounds=1 parallel="$(nproc)" out="" equality=0 ceiling_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) study=(--preset "$2"); shift 2 ;;
    --spec) study=(--spec "$(realpath "$2")"); shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --parallel) parallel="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --equality) equality=1; shift ;;
    --ceiling-only) ceiling_only=1; shift ;;
    *) echo "bench/parallel_cells.sh: unknown argument '$1' (see the header of this script)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$parallel" =~ ^[1-9][0-9]*$ ]] || { echo "bench/parallel_cells.sh: --rounds and --parallel take a positive number" >&2; exit 2; }
out="${out:-$(mktemp -d)}"
mkdir -p "$out"
cores="$(nproc)"
"$here/labelrep" --help >/dev/null   # build once before timing
per_cell=$(( cores / parallel > 0 ? cores / parallel : 1 ))
for mode in train attack; do
  batch=$([[ $mode == train ]] && echo 64 || echo 200)
  bench=(bench --mode "$mode" --models smallcnn --decoder --batch-size "$batch" --repeats 5)
  echo "ceiling: $mode steps, one process with $cores thread(s), then $parallel at once with $per_cell" >&2
  "$here/labelrep" "${bench[@]}" --threads "$cores" --out "$out/ceiling-$mode-one.json" > /dev/null
  pids=()
  for k in $(seq 1 "$parallel"); do
    "$here/labelrep" "${bench[@]}" --threads "$per_cell" --out "$out/ceiling-$mode-$k.json" > /dev/null & pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
done
/usr/bin/python3 - "$out" "$parallel" > "$out/ceiling.json" <<'PY'
import json, sys
out, k = sys.argv[1], int(sys.argv[2])
def rates(path): return {r["head"]: r["images_per_second"] for r in json.load(open(path))["results"]}
ceiling = {}
for mode in ("train", "attack"):
    one = rates(f"{out}/ceiling-{mode}-one.json")
    each = [rates(f"{out}/ceiling-{mode}-{i}.json") for i in range(1, k + 1)]
    for head, rate in one.items():
        together = sum(e[head] for e in each)
        ceiling[f"{mode}-{head}"] = round(together / rate, 3)
        print(f"{mode:<7}{head:<12}one process {rate:>8.0f} img/s   {k} at once {together:>8.0f} img/s   ratio {together / rate:.2f}", file=sys.stderr)
print(json.dumps(ceiling))
PY
[[ $ceiling_only == 1 ]] && { echo "summary {\"ceiling\": $(cat "$out/ceiling.json")}"; exit 0; }
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
if [[ $equality == 1 ]]; then
  echo "equality check: one cell at a time with $per_cell thread(s) → $out/same-threads" >&2
  rm -rf "$out/same-threads"
  "$here/labelrep" study "${study[@]}" --out "$out/same-threads" --parallel 1 --threads "$per_cell" > "$out/same-threads.log" 2>&1 || { echo "the equality run failed; its log: $out/same-threads.log" >&2; exit 1; }
fi
/usr/bin/python3 - "$out" "$rounds" "$here" "$equality" <<'PY'
import json, sqlite3, statistics, subprocess, sys
out, rounds, here, equality = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
secs = {"sequential": [], "parallel": []}
for line in open(f"{out}/times.tsv"):
    side, _, start, end = line.split("\t")
    secs[side].append(float(end) - float(start))
db = sqlite3.connect(f"file:{out}/sequential-1/results.db?mode=ro", uri=True)
cells = db.execute("select count(*) from runs").fetchone()[0]
equal = None
def same(a, b):
    res = subprocess.run([f"{here}/scripts/compare-db.py", f"{out}/{a}/results.db", f"{out}/{b}/results.db"], capture_output=True, text=True)
    print(f"results.db {a} vs {b}: {'equal' if res.returncode == 0 else 'DIFFERENT'}")
    if res.returncode != 0:
        print(res.stdout)
    return res.returncode == 0
if equality:
    equal = all(same("same-threads", f"parallel-{r}") for r in range(1, rounds + 1))
for r in range(2, rounds + 1):   # the same side twice: the machine's own determinism
    same("sequential-1", f"sequential-{r}")
seq, par = statistics.median(secs["sequential"]), statistics.median(secs["parallel"])
print(f"{'side':<12}{'wall s (median)':>18}{'cells/hour':>12}")
for side, s in (("sequential", seq), ("parallel", par)):
    print(f"{side:<12}{s:>18.1f}{cells * 3600 / s:>12.1f}")
print(f"parallel / sequential throughput: {seq / par:.2f}x over {cells} cells")
ceiling = json.load(open(f"{out}/ceiling.json"))
print("this machine's ceiling (K processes' steps against one process's): " + ", ".join(f"{m} {r:.2f}x" for m, r in ceiling.items()))
print("summary " + json.dumps({"cells": cells, "sequential_s": round(seq, 1), "parallel_s": round(par, 1), "ratio": round(seq / par, 3), "results_equal": equal,
                               "ceiling": ceiling}))
PY
