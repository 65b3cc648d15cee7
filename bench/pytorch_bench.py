#!/usr/bin/python3
"""The PyTorch side of LabelRep's throughput benchmark: the same three models, batch, threads and timing rule
(warm-up, then the median of repeats) as `labelrep bench`. Run with Debian's /usr/bin/python3 (python3-torch)."""
import argparse, json, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_init(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, (2.0 / n) ** 0.5)
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(1); m.bias.data.zero_()


class SmallCnn(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(c, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(3), nn.Flatten())
        self.fc = nn.Linear(1152, 10)
        conv_init(self)

    def forward(self, x):
        return self.fc(self.features(x))


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False); self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False); self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        r = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        return F.relu(self.bn2(self.conv2(y)) + r, inplace=True)


class CifarResNet(nn.Module):
    def __init__(self, depth, c):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(c, 16, 3, padding=1, bias=False); self.bn1 = nn.BatchNorm2d(16)
        layers, inplanes = [], 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = [BasicBlock(inplanes, planes, stride)] + [BasicBlock(planes, planes, 1) for _ in range(n - 1)]
            layers.append(nn.Sequential(*blocks)); inplanes = planes
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(64, 10)
        conv_init(self)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)), inplace=True)
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


CASES = {"smallcnn": (lambda: SmallCnn(1), 1, 28), "resnet20": (lambda: CifarResNet(20, 1), 1, 28),
         "resnet32": (lambda: CifarResNet(32, 3), 3, 32)}


def run(name, batch, warmup, steps, repeats):
    make, c, size = CASES[name]
    torch.manual_seed(0)
    model = make().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x, y = torch.rand(batch, c, size, size), torch.randint(0, 10, (batch,))

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
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    results = []
    for name in a.models.split(","):
        steps = a.steps or (24 if name == "smallcnn" else 6)
        rates, phases = run(name, a.batch_size, 5, steps, a.repeats)
        results.append({"model": name, "images_per_second": round(statistics.median(rates), 1), "repeats": [round(r, 1) for r in rates],
                        "phases_ms": dict(zip(("forward", "backward", "update"), (round(p, 2) for p in phases)))})
    print(json.dumps({"implementation": f"PyTorch {torch.__version__}", "results": results}))
