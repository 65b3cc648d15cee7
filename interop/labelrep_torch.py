"""Load a model exported by `labelrep export --format pytorch` into plain PyTorch.

    import labelrep_torch
    model = labelrep_torch.load("model/")   # nn.Module in eval mode
    scores = model(images)                  # images in [0, 1], (B, C, H, W) -> class scores (B, classes)

The scores are the model's decision rule: logits for categorical labels, and -mean((output - label_c)^2) for
every regression label kind, so argmax is the predicted class and attack libraries (torchattacks, AutoAttack,
Foolbox) can be pointed at `model` directly. Normalization is inside the model. Needs only torch (and numpy,
which torch brings, to read labels.npy).
"""
import gzip
import json
import os

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["load", "build", "LabelRepNet", "ClassScores", "read_idx_images", "read_idx_labels"]


class Normalize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


class SmallCnn(nn.Module):
    feature_size = 1152

    def __init__(self, channels):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1, bias=False), nn.BatchNorm2d(128), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(3), nn.Flatten())

    def forward(self, x):
        return self.features(x)


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        y = self.bn2(self.conv2(y))
        return F.relu(y + residual, inplace=True)


class CifarResNet(nn.Module):
    feature_size = 64

    def __init__(self, depth, channels):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        stages, inplanes = [], 16
        for planes, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = [BasicBlock(inplanes, planes, stride)] + [BasicBlock(planes, planes, 1) for _ in range(n - 1)]
            stages.append(nn.Sequential(*blocks))
            inplanes = planes
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)), inplace=True)
        return self.avgpool(self.layer3(self.layer2(self.layer1(x))))


class Vgg19Bn(nn.Module):
    feature_size = 512
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]

    def __init__(self, channels):
        super().__init__()
        layers, c = [], channels
        for v in self.cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def forward(self, x):
        return self.pool(self.features(x))


class LabelDecoder(nn.Module):
    """The paper's decoder: BN1d, LeakyReLU, Linear(F, 64), five ConvTranspose2d up to a size x size label
    (the first kernel is size/16: 4 for 64x64, 3 for the official BERT decoder's 48x48)."""

    def __init__(self, feature_size, size=64):
        super().__init__()
        self.size = size
        self.fc = nn.Sequential(nn.BatchNorm1d(feature_size), nn.LeakyReLU(0.01), nn.Linear(feature_size, 64))
        layers = []
        for i, (cin, cout, stride, pad) in enumerate(((64, 64, 1, 0), (64, 32, 2, 1), (32, 16, 2, 1), (16, 8, 2, 1), (8, 1, 2, 1))):
            layers.append(nn.ConvTranspose2d(cin, cout, size // 16 if i == 0 else 4, stride=stride, padding=pad))
            if i < 4:
                layers += [nn.BatchNorm2d(cout), nn.LeakyReLU(0.01)]
        self.deconv = nn.Sequential(*layers)

    def forward(self, features):
        return self.deconv(self.fc(features).view(-1, 64, 1, 1)).view(-1, self.size, self.size)


def _backbone(name, channels):
    if name == "smallcnn":
        return SmallCnn(channels)
    if name in ("vgg19", "vgg19_bn"):
        return Vgg19Bn(channels)
    if name.startswith("resnet"):
        return CifarResNet(int(name[len("resnet"):]), channels)
    raise ValueError(f"unknown backbone {name!r}")


class LabelRepNet(nn.Module):
    """normalize -> backbone -> head; the same module tree (and state-dict keys) as LabelRep's LabelRepModel."""

    def __init__(self, meta):
        super().__init__()
        self.normalize = Normalize(meta["mean"], meta["std"])
        self.features = _backbone(meta["backbone"], meta["channels"])
        if meta["head"] == "decoder":
            self.head = LabelDecoder(meta["feature_size"], meta["output_shape"][0])
        else:
            self.head = nn.Linear(meta["feature_size"], meta["output_shape"][0])

    def forward(self, x):
        return self.head(self.features(self.normalize(x)))


DECISIONS = ("argmax", "nearest-label-mse")


class ClassScores(nn.Module):
    """Images in [0, 1] -> class scores by the model's decision rule (model.json "decision"):
    "argmax": the output is the scores (logits); "nearest-label-mse": -MSE to each class's label."""

    def __init__(self, net, decision, labels=None):
        super().__init__()
        if decision == "argmax-logits":  # what exports before the decision had one name called it
            decision = "argmax"
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision rule {decision!r}; known: {', '.join(DECISIONS)}")
        if decision == "nearest-label-mse" and labels is None:
            raise ValueError("the nearest-label decision needs the label bank (labels.npy)")
        self.net = net
        self.decision = decision
        if decision == "argmax":
            self.labels = None
        else:
            self.register_buffer("labels", labels)

    def forward(self, x):
        out = self.net(x)
        if self.decision == "argmax":
            return out
        o = out.reshape(out.shape[0], 1, -1)
        l = self.labels.reshape(1, self.labels.shape[0], -1)
        return -((o - l) ** 2).mean(dim=2)


def build(meta):
    """The untrained network described by a model.json dictionary."""
    return LabelRepNet(meta)


def load(directory, device="cpu"):
    """Rebuilds the exported model in `directory` (model.json, state_dict.pt, labels.npy) in eval mode."""
    with open(os.path.join(directory, "model.json")) as f:
        meta = json.load(f)
    net = build(meta)
    state = torch.load(os.path.join(directory, "state_dict.pt"), map_location="cpu")
    net.load_state_dict(state, strict=True)
    labels = None
    if meta.get("labels"):
        labels = torch.from_numpy(np.load(os.path.join(directory, meta["labels"])).astype(np.float32))
    model = ClassScores(net, meta["decision"], labels).to(device).eval()
    model.meta = meta
    return model


def read_idx_images(path):
    """IDX image file (gzipped or not, e.g. Fashion-MNIST's t10k-images-idx3-ubyte.gz) -> float tensor (N, 1, H, W) in [0, 1]."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16, count=n * h * w)
    return torch.from_numpy(pixels.reshape(n, 1, h, w).astype(np.float32) / 255.0)


def read_idx_labels(path):
    """IDX label file (gzipped or not) -> int64 tensor (N,)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=8, count=n).astype(np.int64))
