using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Models;

/// <summary>
/// The input gradient of a stride-1 convolution of a one-channel image (the first layer on Fashion-MNIST and MNIST),
/// computed by a matrix product and shifted sums instead of libtorch's transposed convolution (through
/// <see cref="OwnInputGradient"/>). The forward pass is libtorch's own <c>conv2d</c>, so outputs are bit for bit those
/// of <see cref="FoldedConv2d"/> without it; only the input gradient's float rounding differs.
/// <para>
/// Why: an attack needs the gradient with respect to the image, and libtorch 2.10 computes it for a 32-channel output
/// of a one-channel 3×3 convolution as a 32→1 transposed convolution, its slowest shape (docs/performance.md, "Why the
/// custom layers exist"; <c>labelrep bench --mode attack-layers --models smallcnn</c> profiles it).
/// With taps (a, b) of a kh×kw kernel and padding p, y[o, i, j] = Σ_ab w[o, a, b] · x_p[i + a, j + b], so
/// ∂L/∂x_p[i + a, j + b] collects t[ab, i, j] = Σ_o w[o, a, b] · g[o, i, j]: one product of the (kh·kw)×O weight
/// matrix with the output gradient, then kh·kw shifted additions into the padded image, cropped to the input.
/// </para>
/// </summary>
internal static class OneChannelConvGradient
{
    /// <summary>Whether <see cref="Of"/> handles this configuration: one input channel, stride 1, no dilation, no groups.</summary>
    public static bool Handles(Tensor weight, long[] stride, long[] dilation, long groups) =>
        weight.dim() == 4 && weight.shape[1] == 1 && groups == 1 && stride.All(s => s == 1) && dilation.All(d => d == 1);

    /// <summary>∂L/∂input (N×1×H×W) of <paramref name="layer"/>'s convolution, from ∂L/∂output <paramref name="grad"/>.</summary>
    public static Tensor Of(FoldedConv2d layer, Tensor grad)
    {
        Tensor taps = layer.TapMatrix; // (kh·kw) × O
        long n = grad.shape[0], outChannels = grad.shape[1], outH = grad.shape[2], outW = grad.shape[3];
        long kh = layer.KernelHeight, kw = layer.KernelWidth, ph = layer.Padding[0], pw = layer.Padding[1];
        long h = outH - 2 * ph + kh - 1, w = outW - 2 * pw + kw - 1;
        // The output gradient as N × O × (outH·outW), a view in either layout (channels-last: O has stride 1).
        Tensor g = grad.stride(1) == 1 && outChannels > 1
            ? grad.permute(0, 2, 3, 1).reshape(n, outH * outW, outChannels).transpose(1, 2)
            : grad.reshape(n, outChannels, outH * outW);
        Tensor t = torch.matmul(taps, g).view(n, kh, kw, outH, outW);
        Tensor padded = torch.zeros(new[] { n, h + 2 * ph, w + 2 * pw }, dtype: grad.dtype, device: grad.device);
        for (long a = 0; a < kh; a++)
            for (long b = 0; b < kw; b++)
                padded[TensorIndex.Colon, TensorIndex.Slice(a, a + outH), TensorIndex.Slice(b, b + outW)].add_(t[TensorIndex.Colon, TensorIndex.Single(a), TensorIndex.Single(b)]);
        return padded[TensorIndex.Colon, TensorIndex.Slice(ph, ph + h), TensorIndex.Slice(pw, pw + w)].unsqueeze(1);
    }
}
