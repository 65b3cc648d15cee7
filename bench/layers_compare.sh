#!/usr/bin/env bash
# Kernel-level comparison of a training step (issue: speed, goal 4): every distinct layer of smallcnn, resnet20 and
# resnet32 timed alone, forward and backward, in LabelRep (`labelrep bench --mode layers`, libtorch 2.10) and in
# Debian's PyTorch 1.13 (bench/layer_bench.py, the same list read from LabelRep's JSON), alternating ROUNDS times,
# 2 threads, batch 128, channels-last (or LAYOUT nchw), the same allocator settings. Prints per layer the median milliseconds of
# each side and the PyTorch/LabelRep ratio (above 1: LabelRep faster), then each model's layer sum weighted by how
# often the layer occurs, and one machine-readable line per model:
#   summary {"model": ..., "labelrep_ms": ..., "pytorch_ms": ..., "ratio": ..., "slowest_layers": [...]}
#   bench/layers_compare.sh [ROUNDS] [MODELS] [LAYOUT]   (default 3, smallcnn,resnet20,resnet32, channels-last)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"; models="${2:-smallcnn,resnet20,resnet32}"; layout="${3:-channels-last}"
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import torch" 2>/dev/null || {
  echo "bench/layers_compare.sh: needs Debian's PyTorch: apt-get install -y python3-torch" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$here/labelrep" --help >/dev/null   # build once before timing
for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds: LabelRep" >&2
  "$here/labelrep" bench --mode layers --models "$models" --threads 2 --batch-size 128 --layout "$layout" --out "$out/ts-$r.json" >/dev/null
  echo "round $r/$rounds: PyTorch" >&2
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824 \
    /usr/bin/python3 "$here/bench/layer_bench.py" "$out/ts-$r.json" --threads 2 > "$out/pt-$r.json"
done
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(side):
    runs = [json.load(open(f"{out}/{side}-{r}.json"))["layers"] for r in range(1, rounds + 1)]
    return [dict(rows[0], forward_ms=statistics.median(x[i]["forward_ms"] for x in runs), backward_ms=statistics.median(x[i]["backward_ms"] for x in runs))
            for i, rows in enumerate(zip(*runs))]
ts, pt = load("ts"), load("pt")
print(f"{'model':<10}{'layer':<28}{'count':>6}{'LabelRep fwd':>13}{'PyTorch fwd':>12}{'LabelRep bwd':>13}{'PyTorch bwd':>12}{'ratio':>7}")
models = {}
for a, b in zip(ts, pt):
    ours, theirs = a["forward_ms"] + a["backward_ms"], b["forward_ms"] + b["backward_ms"]
    print(f"{a['model']:<10}{a['name']:<28}{a['count']:>6}{a['forward_ms']:>13.3f}{b['forward_ms']:>12.3f}{a['backward_ms']:>13.3f}{b['backward_ms']:>12.3f}{theirs / max(ours, 1e-9):>7.2f}")
    m = models.setdefault(a["model"], {"ours": 0.0, "theirs": 0.0, "gaps": []})
    m["ours"] += a["count"] * ours; m["theirs"] += a["count"] * theirs
    m["gaps"].append((a["count"] * (ours - theirs), a["name"]))
for name, m in models.items():
    worst = [n for gap, n in sorted(m["gaps"], reverse=True)[:3] if gap > 0]
    print(f"{name}: layers × counts LabelRep {m['ours']:.1f} ms, PyTorch {m['theirs']:.1f} ms, ratio {m['theirs'] / m['ours']:.2f}; where LabelRep loses most: {', '.join(worst) or 'nowhere'}")
for name, m in models.items():
    worst = [n for gap, n in sorted(m["gaps"], reverse=True)[:3] if gap > 0]
    print("summary " + json.dumps({"model": name, "labelrep_ms": round(m["ours"], 2), "pytorch_ms": round(m["theirs"], 2), "ratio": round(m["theirs"] / m["ours"], 3), "slowest_layers": worst}, ensure_ascii=False))
PY
