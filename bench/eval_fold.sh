#!/usr/bin/env bash
# Evaluation with batch norm folded against the model as trained, and against a training step (issue: speed, goal 1).
# One attack step = the gradient of the class scores' cross-entropy with respect to a batch of images, in eval mode,
# which is what every attack iteration costs. Runs, alternating ROUNDS times:
#   labelrep bench --mode attack            (folded: what evaluation runs)
#   labelrep bench --mode attack-unfolded   (each BN its own layer, as before folding)
#   labelrep bench --mode train             (forward, backward, SGD update)
# per model and head, and prints images/s of each (median over rounds), folded/unfolded and attack/train. Last, one
# machine-readable line per model and head:
#   summary {"model": ..., "head": ..., "attack": ..., "attack_unfolded": ..., "train": ..., "fold_ratio": ..., "attack_over_train": ...}
#   bench/eval_fold.sh [ROUNDS] [THREADS] [BATCH]      (defaults: 3 rounds, all cores, batch 128)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}" threads="${2:-$(nproc)}" batch="${3:-128}"
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$threads" =~ ^[1-9][0-9]*$ && "$batch" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/eval_fold.sh [ROUNDS] [THREADS] [BATCH]" >&2; exit 2; }
out="$(mktemp -d)"
"$here/labelrep" --help >/dev/null   # build once before timing
for r in $(seq 1 "$rounds"); do
  for mode in attack attack-unfolded train; do
    echo "round $r/$rounds: $mode" >&2
    "$here/labelrep" bench --mode "$mode" --decoder --threads "$threads" --batch-size "$batch" --repeats 3 --out "$out/$mode-$r.json" > "$out/$mode-$r.log"
  done
done
python3 - "$out" "$rounds" <<'EOF'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rates = {}
for mode in ("attack", "attack-unfolded", "train"):
    for r in range(1, rounds + 1):
        for row in json.load(open(f"{out}/{mode}-{r}.json"))["results"]:
            rates.setdefault((row["model"], row["head"]), {}).setdefault(mode, []).append(row["images_per_second"])
print(f"{'model':<10} {'head':<12} {'attack img/s':>13} {'unfolded':>9} {'train':>8} {'folded/unfolded':>16} {'attack/train':>13}")
summaries = []
for (model, head), by in rates.items():
    a, u, t = (statistics.median(by[m]) for m in ("attack", "attack-unfolded", "train"))
    print(f"{model:<10} {head:<12} {a:>13.0f} {u:>9.0f} {t:>8.0f} {a / u:>16.2f} {a / t:>13.2f}")
    summaries.append({"model": model, "head": head, "attack": round(a, 1), "attack_unfolded": round(u, 1), "train": round(t, 1),
                      "fold_ratio": round(a / u, 3), "attack_over_train": round(a / t, 3)})
for s in summaries:
    print("summary " + json.dumps(s))
EOF
