#!/usr/bin/python3
"""The PyTorch side of LabelRep's throughput benchmark: the same three models, batch, threads and timing rule
(warm-up, then the median of repeats) as `labelrep bench`. Run with Debian's /usr/bin/python3 (python3-torch)."""
import argparse, json, os, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import labelrep_torch  # noqa: E402  the same model definitions the exported models use


def conv_init(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, (2.0 / n) ** 0.5)
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(1); m.bias.data.zero_()


def classifier(backbone):
    """A LabelRep backbone (the same modules as interop/labelrep_torch.py) with a 10-class linear head, paper init."""
    model = nn.Sequential(backbone, nn.Linear(backbone.feature_size, 10))
    conv_init(model)
    return model


CASES = {"smallcnn": (lambda: classifier(labelrep_torch.SmallCnn(1)), 1, 28),
         "resnet20": (lambda: classifier(labelrep_torch.CifarResNet(20, 1)), 1, 28),
         "resnet32": (lambda: classifier(labelrep_torch.CifarResNet(32, 3)), 3, 32)}


def run(name, batch, warmup, steps, repeats, channels_last):
    make, c, size = CASES[name]
    torch.manual_seed(0)
    model = make().train()
    x, y = torch.rand(batch, c, size, size), torch.randint(0, 10, (batch,))
    if channels_last:  # PyTorch's own recipe: model and input in torch.channels_last
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    phases = ([], [], [])

    def step(record):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        opt.zero_grad(); loss.backward()
        t2 = time.perf_counter()
        opt.step(); loss.item()
        t3 = time.perf_counter()
        if record:
            for p, (a, b) in zip(phases, ((t0, t1), (t1, t2), (t2, t3))):
                p.append((b - a) * 1000)

    for _ in range(warmup):
        step(False)
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(steps):
            step(True)
        rates.append(steps * batch / (time.perf_counter() - t))
    return rates, [sorted(p)[len(p) // 2] for p in phases]


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--models", default="smallcnn,resnet20,resnet32")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--steps", type=int, default=0)
    p.add_argument("--channels-last", action="store_true", help="model and input in torch.channels_last (default: NCHW, as the official code)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    results = []
    for name in a.models.split(","):
        steps = a.steps or (24 if name == "smallcnn" else 6)
        rates, phases = run(name, a.batch_size, 5, steps, a.repeats, a.channels_last)
        results.append({"model": name, "images_per_second": round(statistics.median(rates), 1), "repeats": [round(r, 1) for r in rates],
                        "phases_ms": dict(zip(("forward", "backward", "update"), (round(p, 2) for p in phases)))})
    print(json.dumps({"implementation": f"PyTorch {torch.__version__}", "memory_format": "channels_last" if a.channels_last else "contiguous",
                      "results": results}))
