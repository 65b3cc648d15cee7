#!/usr/bin/python3
"""The label decoder's upsampling layers (ConvTranspose2d, kernel 4, stride 2, padding 1) in PyTorch, timed two ways:
as libtorch's transposed convolution and as LabelRep's FastConvTranspose2d used to compute them in training (one 3x3
convolution into four phase kernels, then a pixel shuffle). This is why that rewrite existed: PyTorch 1.13's NCHW
transposed convolution is slow. LabelRep's decoder now runs channels-last on libtorch 2.10, whose own transposed
convolution is faster there, so training uses it (see FastConvTranspose2d's summary). Forward plus backward to the
input, 1 thread, batch 200, median of 8; first checks in float64 that the two agree.

    /usr/bin/python3 bench/decoder_layers.py
"""
import time
import torch
import torch.nn as nn
import torch.nn.functional as F

TAPS = {0: [3, 1, 4], 1: [4, 2, 0]}  # kernel rows (and columns) each output phase reads at input offsets -1, 0, +1; 4 = zero pad


def phase_conv(x, w, b):
    cin, cout = w.shape[0], w.shape[1]
    padded = F.pad(w.permute(1, 0, 2, 3), (0, 1, 0, 1))
    kernels = [padded.index_select(2, torch.tensor(TAPS[a])).index_select(3, torch.tensor(TAPS[c])) for a in (0, 1) for c in (0, 1)]
    return F.pixel_shuffle(F.conv2d(x, torch.stack(kernels, 1).reshape(cout * 4, cin, 3, 3), b.repeat_interleave(4), padding=1), 2)


def median_ms(f, n=8):
    times = []
    for _ in range(n):
        start = time.perf_counter(); f(); times.append(time.perf_counter() - start)
    return sorted(times)[n // 2] * 1000


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    batch = 200
    for cin, cout, size in [(64, 32, 4), (32, 16, 8), (16, 8, 16), (8, 1, 32)]:
        layer = nn.ConvTranspose2d(cin, cout, 4, 2, 1).double()
        x = torch.rand(batch, cin, size, size).double()
        diff = (layer(x) - phase_conv(x, layer.weight, layer.bias)).abs().max().item()
        layer, x = layer.float(), x.float()
        for p in layer.parameters():
            p.requires_grad_(False)

        def transposed():
            xx = x.clone().requires_grad_(True); layer(xx).sum().backward()

        def phases():
            xx = x.clone().requires_grad_(True); phase_conv(xx, layer.weight, layer.bias).sum().backward()

        print(f"{cin}->{cout} at {size}x{size}: transposed {median_ms(transposed):.1f} ms, phase convolution {median_ms(phases):.1f} ms "
              f"(float64 max difference {diff:.1e})")


if __name__ == "__main__":
    main()
