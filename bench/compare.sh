#!/usr/bin/env bash
# Runs LabelRep (TorchSharp) and the PyTorch reference alternately, ROUNDS times each, in one run, and prints the
# median images/s of each side and the TorchSharp/PyTorch ratio per model. Both sides get the same allocator
# settings (LabelRep sets them with mallopt; PyTorch gets them from GLIBC_TUNABLES), 2 threads, batch 128.
# Each side runs twice per round: in libtorch's default NCHW layout (as the official code trains) and channels-last
# (LabelRep's default; `labelrep bench --layout`, `pytorch_bench.py --channels-last`). The ratio is LabelRep's
# default against PyTorch in each layout. Last, one machine-readable line per model:
#   summary {"model": ..., "labelrep": ..., "pytorch_nchw": ..., "pytorch_channels_last": ..., "ratio_nchw": ..., "ratio_best": ...}
# where ratio_best is against PyTorch's faster layout (grep '^summary ' | cut -d' ' -f2- | jq).
#   bench/compare.sh [ROUNDS]      (default 3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import torch" 2>/dev/null || {
  echo "bench/compare.sh: needs Debian's PyTorch: apt-get install -y python3-torch" >&2; exit 1; }
out="$(mktemp -d)"
"$here/labelrep" --help >/dev/null   # build once before timing
for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds: TorchSharp" >&2
  "$here/labelrep" bench --repeats 3 --out "$out/ts-$r.json" >/dev/null
  echo "round $r/$rounds: TorchSharp, NCHW" >&2
  "$here/labelrep" bench --repeats 3 --layout nchw --out "$out/tsnchw-$r.json" >/dev/null
  echo "round $r/$rounds: PyTorch" >&2
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824 \
    /usr/bin/python3 "$here/bench/pytorch_bench.py" --repeats 3 > "$out/pt-$r.json"
  echo "round $r/$rounds: PyTorch, channels-last" >&2
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824 \
    /usr/bin/python3 "$here/bench/pytorch_bench.py" --repeats 3 --channels-last > "$out/ptcl-$r.json"
done
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
sides = {"ts": "TorchSharp channels-last", "tsnchw": "TorchSharp NCHW", "pt": "PyTorch NCHW", "ptcl": "PyTorch channels-last"}
rate, phase = {s: {} for s in sides}, {s: {} for s in sides}
for side in sides:
    for r in range(1, rounds + 1):
        for x in json.load(open(f"{out}/{side}-{r}.json"))["results"]:
            rate[side].setdefault(x["model"], []).append(x["images_per_second"])
            phase[side].setdefault(x["model"], []).append(x["phases_ms"])
med = {s: {m: statistics.median(v) for m, v in rate[s].items()} for s in sides}
print("training images/s, median (ratio = TorchSharp channels-last / PyTorch in that layout)")
print(f"{'model':10} {'TorchSharp CL':>14} {'TorchSharp NCHW':>16} {'PyTorch NCHW':>13} {'ratio':>6} {'PyTorch CL':>11} {'ratio':>6}")
for m in med["ts"]:
    a, n, b, c = med["ts"][m], med["tsnchw"][m], med["pt"][m], med["ptcl"][m]
    print(f"{m:10} {a:14.0f} {n:16.0f} {b:13.0f} {a / b:6.2f} {c:11.0f} {a / c:6.2f}")
print()
print("profile of one step, median ms (TorchSharp CL / TorchSharp NCHW / PyTorch NCHW / PyTorch CL)")
print(f"{'model':10} {'forward':>29} {'backward':>29} {'update':>29}")
for m in med["ts"]:
    cells = [" /".join(f"{statistics.median(p[k] for p in phase[s][m]):6.1f}" for s in sides) for k in ("forward", "backward", "update")]
    print(f"{m:10} {cells[0]:>29} {cells[1]:>29} {cells[2]:>29}")
print()
for m in med["ts"]:
    a, b, c = med["ts"][m], med["pt"][m], med["ptcl"][m]
    print("summary " + json.dumps({"model": m, "labelrep": round(a, 1), "labelrep_nchw": round(med["tsnchw"][m], 1), "pytorch_nchw": round(b, 1),
                                    "pytorch_channels_last": round(c, 1), "ratio_nchw": round(a / b, 3), "ratio_best": round(a / max(b, c), 3)}))
PY
