#!/usr/bin/env bash
# LabelRep's APGD cascade against bench/autoattack_reference.py (APGD-CE then APGD-T in plain PyTorch) on the same
# exported model and images, both on 2 threads, alternating: robust accuracy of each (LabelRep must not be more than
# 1 point above the reference), their times and the ratio, and LabelRep's peak memory (LabelRep without its suite's
# checks, which the reference does not run). Then LabelRep's full autoattack
# suite (with Square, 5,000 queries) and, for the cascade's saving, every member on every image (PARTS=speed stops
# after the speed comparison and its summary line).
#   bench/autoattack_compare.sh RUN_DIR [LIMIT] [EPS] [ROUNDS] [PARTS]  e.g. bench/autoattack_compare.sh runs/speech 1000 8/255 1 speed
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="$(cd "$1" && pwd)"; limit="${2:-1000}"; eps="${3:-8/255}"; rounds="${4:-1}"; parts="${5:-all}"
[[ "$parts" == all || "$parts" == speed ]] || { echo "PARTS must be all or speed, not '$parts'" >&2; exit 2; }
data=/usr/share/datasets/fashion-mnist
work=$(mktemp -d)
export OMP_NUM_THREADS=2 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824
"$here/labelrep" export --run "$run" --format pytorch --out "$work/model" >/dev/null
cp -r "$run" "$work/run"
ours_acc=""; ref_acc=""; ours_s=(); ref_s=()
for ((i = 1; i <= rounds; i++)); do
  start=$(date +%s.%N)
  /usr/bin/time -v "$here/labelrep" attack --run "$work/run" --suite apgd-ce,apgd-t --eps "0,$eps" --limit "$limit" --threads 2 --skip-checks >"$work/ours.txt" 2>"$work/ours.time"
  ours_s+=("$(echo "$(date +%s.%N) - $start" | bc)")
  ours_acc=$(grep -E "^ *apgd-ce\+apgd-t/cascade" "$work/ours.txt" | awk '{print $(NF-1) $NF}')
  rss=$(grep "Maximum resident" "$work/ours.time" | awk '{print $NF}')
  start=$(date +%s.%N)
  /usr/bin/python3 "$here/bench/autoattack_reference.py" "$work/model" "$data/t10k-images-idx3-ubyte.gz" "$data/t10k-labels-idx1-ubyte.gz" --eps "$eps" --limit "$limit" >"$work/ref.txt"
  ref_s+=("$(echo "$(date +%s.%N) - $start" | bc)")
  ref_acc=$(awk '/^reference:/ {printf "%.1f%%", 100 * $2}' "$work/ref.txt")
  echo "round $i: LabelRep ${ours_s[-1]} s (robust $ours_acc, peak RSS $((rss / 1024)) MB), reference ${ref_s[-1]} s (robust $ref_acc)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
om=$(median "${ours_s[@]}"); rm_=$(median "${ref_s[@]}")
ratio=$(echo "scale=2; $rm_ / $om" | bc)
grep -E "^ +apgd-ce\+apgd-t" "$work/ours.txt" | sed 's/^ */LabelRep /'
cat "$work/ref.txt"
echo "apgd-ce + apgd-t at eps $eps on $limit images: LabelRep $ours_acc in $om s, reference $ref_acc in $rm_ s; speed ratio $ratio"
summary="SUMMARY model=$(basename "$run") eps=$eps images=$limit labelrep_acc=$ours_acc reference_acc=$ref_acc labelrep_s=$om reference_s=$rm_ ratio=$ratio peak_rss_mb=$((rss / 1024))"
if [[ "$parts" == speed ]]; then echo "$summary"; rm -rf "$work"; exit 0; fi
"$here/labelrep" attack --run "$work/run" --suite autoattack --eps "0,$eps" --limit "$limit" --threads 2 >"$work/suite.txt"
suite_s=$(grep -oE "clean accuracy [0-9.]+ %, [0-9]+ s" "$work/suite.txt" | grep -oE "[0-9]+ s$")
echo "LabelRep autoattack suite (with Square 5000): $(grep -E "^ *autoattack/cascade" "$work/suite.txt" | awk '{print $(NF-1) $NF}') robust, $suite_s"
"$here/labelrep" attack --run "$work/run" --attacks apgd,apgd-t,square --eps "0,$eps" --limit "$limit" --threads 2 --queries 5000 >"$work/all.txt"
echo "every member on every image (no cascade): $(grep -oE "clean accuracy [0-9.]+ %, [0-9]+ s" "$work/all.txt" | grep -oE "[0-9]+ s$")"
echo "$summary"
rm -rf "$work"
