#!/usr/bin/env bash
# Faults too slow or too privileged for the test suite, through ./labelrep as a user runs it (docs/runs.md, "Faults"):
#   1. limits the process inherits: a closed stdout or stderr, ulimit -n 40, ulimit -f 100, TMPDIR missing;
#   2. a full disk: training into a 900 KB tmpfs (a run folder takes 1.3 MB) fails with one line and leaves no .tmp; the same folder, given room,
#      resumes to the metrics of an uninterrupted run;
#   3. signals at several points: training stopped by SIGTERM, SIGINT and SIGHUP and resumed, an attack suite killed
#      (-9) at three points and rerun, each equal to an uninterrupted run; a parallel study's parent stopped by SIGTERM
#      and killed by SIGKILL, with no worker left 20 s later.
# Needs root for the tmpfs (skipped otherwise). About 5 minutes on 2 cores. Prints a line per check and a summary;
# exits 1 if any check failed.
#   scripts/fault-check.sh [WORK_DIR]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A fresh folder every time (inside WORK_DIR when given): a second run never meets the first one's runs.
parent="$(realpath -m "${1:-${TMPDIR:-/tmp}}")"
mkdir -p "$parent" && work="$(mktemp -d "$parent/fault-check.XXXXXX")" && cd "$work" || exit 1
L="$here/labelrep"
passed=0 failed=0
ok() { echo "PASS  $*"; passed=$((passed + 1)); }
bad() { echo "FAIL  $*"; failed=$((failed + 1)); }
# one_line CODE STDERR_FILE WHAT: a non-zero exit and exactly one line on stderr, starting "error:"
one_line() {
  local code=$1 file=$2 what=$3 lines
  lines=$(grep -cv '^labelrep: building' "$file" || true)
  if [[ $code -ne 0 && $lines -eq 1 ]] && grep -q '^error: ' "$file"; then ok "$what: exit $code, '$(grep -v '^labelrep: building' "$file")'"
  else bad "$what: exit $code, $lines line(s) on stderr: $(head -c 300 "$file")"; fi
}
no_tmp() { local n; n=$(find "$1" -name '*.tmp' 2>/dev/null | wc -l); [[ $n -eq 0 ]] && ok "$2: no .tmp left" || bad "$2: $n .tmp file(s) left"; }
same_metrics() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f + "/metrics.json")) for f in sys.argv[1:3])
keys = ["test_accuracy", "val_accuracy", "test_loss", "val_loss", "best_epoch"]
sys.exit(0 if all(a[k] == b[k] for k in keys) else 1)
PY
}
same_attacks() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if k not in ("seconds", "run")}
    if isinstance(o, list): return [strip(v) for v in o]
    return o
# The folder name ("run") differs by construction; timings do not count.
a, b = (strip(json.load(open(f + "/attacks.json"))) for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY
}

train=(train --dataset fashion-mnist --model smallcnn --label categorical --epochs 3 --fraction 0.05 --seed 7)
"$L" "${train[@]}" --out ref > ref.log 2>&1 || { echo "the reference run failed: $(tail -1 ref.log)"; exit 1; }

# ---- 1. limits ----
"$L" evaluate --run ref >&- 2> closed-out.err; code=$?
[[ $code -eq 0 ]] && ok "closed stdout: exit 0, the work went on" || bad "closed stdout: exit $code: $(head -c 200 closed-out.err)"
"$L" evaluate --run ref 2>&- > closed-err.out; code=$?
[[ $code -eq 0 ]] && grep -q "test accuracy" closed-err.out && ok "closed stderr: exit 0, output intact" || bad "closed stderr: exit $code"
(ulimit -n 40; "$L" evaluate --run ref > /dev/null 2> nofile.err); one_line $? nofile.err "ulimit -n 40"
(ulimit -f 100; "$L" export --run ref --format pytorch --out big > /dev/null 2> fsize.err); one_line $? fsize.err "ulimit -f 100 (export)"
no_tmp big "ulimit -f 100 (export)"
TMPDIR=/nonexistent/tmp "$L" labels stats --kinds speech --voice de > /dev/null 2> tmpdir.err; one_line $? tmpdir.err "TMPDIR missing (speech labels)"

# ---- 2. a full disk ----
if [[ $EUID -eq 0 ]] && mkdir -p disk && mount -t tmpfs -o size=900k tmpfs disk 2>/dev/null; then
  "$L" "${train[@]}" --out disk/run > /dev/null 2> full.err; one_line $? full.err "a full disk while training"
  no_tmp disk "a full disk while training"
  mount -o remount,size=200m disk
  "$L" "${train[@]}" --out disk/run --resume > /dev/null 2> resume.err
  if same_metrics ref disk/run; then ok "a full disk, then room: resumed to the uninterrupted run's metrics"; else bad "a full disk, then room: metrics differ ($(tail -1 resume.err))"; fi
  umount disk
else
  echo "SKIP  a full disk (needs root and tmpfs)"
fi

# ---- 3. signals ----
# Training stopped by each signal in epoch 2, then resumed.
for sig in TERM INT HUP; do
  rm -rf "s-$sig"
  # A background job of a script starts with SIGINT ignored; the launcher below restores its default, as a terminal has it.
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
    "$L" "${train[@]}" --out "s-$sig" > "s-$sig.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do grep -q "epoch 2/3  step" "s-$sig.log" 2>/dev/null && break; sleep 0.1; done
  kill -"$sig" "$pid"; wait "$pid"; code=$?
  "$L" "${train[@]}" --out "s-$sig" --resume > /dev/null 2>&1
  if [[ $code -ne 0 ]] && same_metrics ref "s-$sig"; then ok "training stopped by SIG$sig (exit $code), resumed: same metrics"
  else bad "training stopped by SIG$sig (exit $code), resumed: metrics differ"; fi
  no_tmp "s-$sig" "training stopped by SIG$sig"
done
# An attack suite killed (-9) at three points and rerun, against one run uninterrupted.
suite=(attack --suite apgd-ce,apgd-t,fab-t,square --eps 0,4/255,8/255 --limit 120 --batch-size 20 --steps 30 --targets 3 --queries 300 --skip-checks)
cp -r ref atk-a && cp -r ref atk-b
start=$(date +%s.%N); "$L" "${suite[@]}" --run atk-a > /dev/null 2>&1; took=$(echo "$(date +%s.%N) - $start" | bc)
resumed=0
for share in 0.4 0.6 0.8; do
  timeout -s KILL "$(echo "$took * $share" | bc)" "$L" "${suite[@]}" --run atk-b > atk-b.log 2>&1
  grep -q "resuming an interrupted attack" atk-b.log && resumed=$((resumed + 1))
done
"$L" "${suite[@]}" --run atk-b > atk-b.log 2>&1
grep -q "resuming an interrupted attack" atk-b.log && resumed=$((resumed + 1))
if same_attacks atk-a atk-b; then ok "an attack suite killed at 40%, 60% and 80% of its time: attacks.json equals the uninterrupted one's ($resumed rerun(s) resumed)"
else bad "an attack suite killed at three points: attacks.json differs"; fi
no_tmp atk-b "an attack suite killed at three points"
[[ -z "$(ls atk-b/*.journal 2>/dev/null)" ]] && ok "the finished attack left no journal" || bad "a journal outlived the finished attack"
# A parallel study's parent stopped, then killed: its workers must not outlive it.
cat > spec.yaml <<'EOF'
name: faults
labels: [categorical, random]
seeds: [7, 77]
fractions: [0.1]
main_fraction: 0.1
epochs: 20
tsne_images: 0
attack: { protocols: [] }
EOF
for sig in TERM KILL; do
  "$L" study --spec spec.yaml --out "study-$sig" --parallel 2 --threads 1 > "study-$sig.log" 2>&1 &
  parent=$!
  for _ in $(seq 1 600); do grep -q "^\[worker 2\].*epoch" "study-$sig.log" 2>/dev/null && break; sleep 0.1; done
  workers=$(grep -l "LABELREP_PARENT_PID=$parent" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | tr '\n' ' ')
  kill -"$sig" "$parent"
  for _ in $(seq 1 200); do alive=""; for w in $workers; do [[ -d /proc/$w ]] && alive="$alive $w"; done; [[ -z $alive ]] && break; sleep 0.1; done
  wait "$parent" 2>/dev/null
  if [[ -n $workers && -z $alive ]]; then ok "a parallel study's parent on SIG$sig: workers ($workers) ended with it"
  else bad "a parallel study's parent on SIG$sig: worker(s)$alive still running 20 s later (workers: $workers)"; for w in $alive; do kill -9 "$w"; done; fi
  no_tmp "study-$sig" "a parallel study stopped by SIG$sig"
done

echo "fault-check: $passed passed, $failed failed (in $work)"
[[ $failed -eq 0 ]]
