#!/usr/bin/python3
"""The same layers `labelrep bench --mode layers` timed, in Debian's PyTorch: reads that benchmark's JSON (the layer
list with shapes and counts), times each layer alone, forward and backward, train mode, in that run's layout
(channels-last, module and input, PyTorch's own recipe; or NCHW after `--layout nchw`), and prints the same JSON with
PyTorch's times.

    /usr/bin/python3 bench/layer_bench.py labelrep-layers.json [--threads 2] [--steps 20] > pytorch-layers.json
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn


def build(layer):
    k = layer["kind"]
    c = layer["input"][0]
    if k == "conv":
        return nn.Conv2d(c, layer["out"], layer["kernel"], stride=layer["stride"], padding=layer["padding"], bias=False)
    if k == "bn":
        return nn.BatchNorm2d(c)
    if k == "relu":
        return nn.ReLU()
    if k == "maxpool":
        return nn.MaxPool2d(layer["kernel"])
    if k == "avgpool":
        return nn.AdaptiveAvgPool2d(layer["out"])
    if k == "linear":
        return nn.Linear(c, layer["out"])
    if k == "add":
        return nn.Identity()
    raise SystemExit(f"unknown layer kind {k}")


CHANNELS_LAST = True


def cl(t):
    return t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 and CHANNELS_LAST else t.contiguous()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("labelrep_json")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=0, help="timed calls per layer (default: as the LabelRep run)")
    a = p.parse_args()
    spec = json.load(open(a.labelrep_json))
    global CHANNELS_LAST
    CHANNELS_LAST = spec.get("layout", "channels-last") == "channels-last"
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    batch, steps = spec["batch_size"], a.steps or spec["steps"]
    rows = []
    for layer in spec["layers"]:
        m = build(layer).train()
        if layer["kind"] in ("conv",) and CHANNELS_LAST:
            m = m.to(memory_format=torch.channels_last)
        shape = [batch] + layer["input"]
        x = cl(torch.randn(shape)).requires_grad_(layer["input_grad"])
        other = cl(torch.randn(shape))
        fwd = (lambda: x + other) if layer["kind"] == "add" else (lambda: m(x))
        with torch.no_grad():
            g = cl(torch.randn_like(fwd()))
        f_ms, b_ms = [], []
        for i in range(5 + steps):
            t0 = time.perf_counter()
            y = fwd()
            t1 = time.perf_counter()
            y.backward(g)
            t2 = time.perf_counter()
            for q in m.parameters():
                q.grad = None
            x.grad = None
            if i >= 5:
                f_ms.append(1000 * (t1 - t0)); b_ms.append(1000 * (t2 - t1))
        row = dict(layer)
        row["forward_ms"], row["backward_ms"] = round(statistics.median(f_ms), 4), round(statistics.median(b_ms), 4)
        rows.append(row)
    print(json.dumps({"batch_size": batch, "threads": a.threads, "steps": steps, "layers": rows, "implementation": f"PyTorch {torch.__version__}"}, indent=1))


if __name__ == "__main__":
    main()
