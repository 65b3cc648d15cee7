#!/usr/bin/env bash
# The manual check behind "an interrupted run resumes to the same numbers": trains one short run without
# interruption, trains it again with kill -9 in the middle of epoch 2, resumes it, and compares the metrics.
#   scripts/kill9-resume-check.sh [WORK_DIR]      (about 25 s on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work" && cd "$work" && rm -rf a b
args=(train --dataset fashion-mnist --model smallcnn --label categorical --epochs 3 --fraction 0.1 --seed 7)
"$here/labelrep" "${args[@]}" --out a > a.log 2>&1
"$here/labelrep" "${args[@]}" --out b > b1.log 2>&1 &
pid=$!
until grep -q "epoch 2/3  step" b1.log 2>/dev/null; do sleep 0.5; done
sleep 0.5   # an epoch of this run takes about 2 s at ~2,800 img/s
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
echo "killed during: $(grep 'epoch 2/3  step' b1.log | tail -1)"
"$here/labelrep" "${args[@]}" --out b --resume > b2.log 2>&1
echo "resumed at: $(grep -m1 "^epoch" b2.log)"
python3 - <<'PY'
import json, sys
a, b = json.load(open("a/metrics.json")), json.load(open("b/metrics.json"))
keys = ["test_accuracy", "val_accuracy", "test_loss", "val_loss", "best_epoch"]
for k in keys:
    print(f"{k:14} {a[k]!s:>20} {b[k]!s:>20}  {'same' if a[k] == b[k] else 'DIFFERENT'}")
sys.exit(0 if all(a[k] == b[k] for k in keys) else 1)
PY
