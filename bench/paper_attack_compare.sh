#!/usr/bin/env bash
# The paper's attack sweep (issue: speed, goal 2): LabelRep's batched `attack --protocol paper --targeted both`
# against the official one-image-at-a-time loop (bench/paper_attack_reference.py, Debian's PyTorch) on the same
# exported model and the first LIMIT test images, both on 2 threads, whole processes, alternating ROUNDS times. In each
# round LabelRep runs 3 times (seconds, where one disturbed run can move it by half) and the official loop once
# (minutes). Prints each side's median wall time over all its runs, the ratio, and whether all 28 accuracies (FGSM
# and the iterative attack, untargeted and targeted, at the paper's 7 ε) are equal to the image. Last, one
# machine-readable line:
#   summary {"run": ..., "images": ..., "labelrep_s": ..., "reference_s": ..., "ratio": ..., "accuracies_equal": true|false}
#   bench/paper_attack_compare.sh RUN_DIR [LIMIT] [ROUNDS]       e.g. bench/paper_attack_compare.sh runs/speech 200 1
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 1 && -d "$1" ]] || { echo "usage: bench/paper_attack_compare.sh RUN_DIR [LIMIT] [ROUNDS] (RUN_DIR: a trained Fashion-MNIST run)" >&2; exit 2; }
run="$(cd "$1" && pwd)"; limit="${2:-200}"; rounds="${3:-1}"
ours_runs=3   # LabelRep's side takes seconds, where one disturbed run moves it by half; it runs 3 times a round
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import torch" 2>/dev/null || {
  echo "bench/paper_attack_compare.sh: needs Debian's PyTorch: apt-get install -y python3-torch" >&2; exit 1; }
data=/usr/share/datasets/fashion-mnist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824
"$here/labelrep" export --run "$run" --format pytorch --out "$work/model" >/dev/null
: > "$work/times.tsv"
for ((i = 1; i <= rounds; i++)); do
  for ((j = 1; j <= ours_runs; j++)); do
    rm -rf "$work/run"; mkdir -p "$work/run"
    for f in config.json best.safetensors labels.npy metrics.json checkpoint.json; do [[ -f "$run/$f" ]] && cp "$run/$f" "$work/run/"; done
    start=$EPOCHREALTIME
    "$here/labelrep" attack --run "$work/run" --protocol paper --targeted both --limit "$limit" --threads 2 >"$work/ours.txt"
    printf 'labelrep\t%s\n' "$(python3 -c "print($EPOCHREALTIME - $start)")" >> "$work/times.tsv"
  done
  start=$EPOCHREALTIME
  /usr/bin/python3 "$here/bench/paper_attack_reference.py" "$work/model" "$data/t10k-images-idx3-ubyte.gz" "$data/t10k-labels-idx1-ubyte.gz" \
    --limit "$limit" --threads 2 >"$work/ref.txt"
  printf 'reference\t%s\n' "$(python3 -c "print($EPOCHREALTIME - $start)")" >> "$work/times.tsv"
  echo "round $i/$rounds: LabelRep $(grep '^labelrep' "$work/times.tsv" | tail -n "$ours_runs" | cut -f2 | tr '\n' ' ')s, reference $(tail -1 "$work/times.tsv" | cut -f2) s" >&2
done
cat "$work/ref.txt"
/usr/bin/python3 - "$work" "$(basename "$run")" "$limit" <<'PY'
import json, statistics, sys
work, run, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
secs = {"labelrep": [], "reference": []}
for line in open(f"{work}/times.tsv"):
    side, s = line.split("\t")
    secs[side].append(float(s))
# The reference's table: a header with the ε, then one row per attack of percentages.
lines = open(f"{work}/ref.txt").read().splitlines()
head = next(i for i, l in enumerate(lines) if l.startswith("attack"))
eps = [float(e) for e in lines[head].split()[1:]]
reference = {}
for l in lines[head + 1: head + 5]:
    name, *values = l.split()
    for e, v in zip(eps, values):
        reference[(name, e)] = round(float(v.rstrip("%")), 1)
ours = {}
report = next(r for r in json.load(open(f"{work}/run/attacks.json")) if r["protocol"] == "paper")
names = {("fgsm", False): "fgsm", ("bim", False): "iterative", ("fgsm", True): "fgsm-targeted", ("bim", True): "iterative-targeted"}
for r in report["results"]:
    key = (r["attack"], r["targeted"])
    if key in names:
        ours[(names[key], r["eps"])] = round(100 * r["accuracy"], 1)
diff = [(k, ours.get(k), v) for k, v in reference.items() if ours.get(k) != v]
print(f"accuracies: {len(reference)} compared, {'all equal' if not diff else f'{len(diff)} differ, e.g. {diff[:3]} (LabelRep, reference)'}")
l, r = statistics.median(secs["labelrep"]), statistics.median(secs["reference"])
print(f"paper sweep on {limit} images: LabelRep {l:.1f} s, official loop {r:.1f} s, ratio {r / l:.1f}x (whole processes, 2 threads each)")
print("summary " + json.dumps({"run": run, "images": limit, "labelrep_s": round(l, 2), "reference_s": round(r, 2), "ratio": round(r / l, 2), "accuracies_equal": not diff}))
PY
