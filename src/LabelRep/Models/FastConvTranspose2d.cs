using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace LabelRep.Models;

/// <summary>
/// A ConvTranspose2d (same parameters, names, shapes and initialization) computed by faster equivalent operations.
/// libtorch's CPU transposed convolution is slow: in PyTorch 1.13 on a 2-core EPYC the decoder's upsampling layers took
/// 97–116 ms forward and backward as transposed convolutions and 15–28 ms as below (1 thread, batch 200; bench/decoder_layers.py).
/// <list type="bullet">
/// <item>On a 1×1 input with stride 1 and no padding (the decoder's first layer) it is a matrix product:
/// out[b, o, i, j] = Σ_c x[b, c] · W[c, o, i, j] + bias[o], written channels-last (see <see cref="Apply"/>).</item>
/// <item>With kernel 4, stride 2, padding 1 (the decoder's upsampling layers) output pixel (2m + a, 2n + b) takes
/// input rows m − 1, m for a = 0 (kernel rows 3, 1) and m, m + 1 for a = 1 (rows 2, 0), and the same for columns:
/// a 3×3 convolution with padding 1 and four output channels per channel (one per phase, unused taps zero), then a
/// pixel shuffle. Exact up to the order of float additions.</item>
/// <item>Any other configuration runs libtorch's conv_transpose2d.</item>
/// </list>
/// </summary>
public sealed class FastConvTranspose2d : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int _kernel, _stride, _padding;
    private Tensor? _taps; // kernel taps of the 3×3 phases (index 4 is a zero), on the weight's device

    public FastConvTranspose2d(long inChannels, long outChannels, int kernel, int stride, int padding) : base(nameof(FastConvTranspose2d))
    {
        // Initialized by libtorch's own module, so the random draws are those of ConvTranspose2d.
        using (var reference = ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: padding))
        {
            weight = new Parameter(reference.weight!.detach().clone());
            bias = new Parameter(reference.bias!.detach().clone());
        }
        _kernel = kernel;
        _stride = stride;
        _padding = padding;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        Apply(input, weight, bias, _kernel == 4 && _stride == 2 && _padding == 1 ? PhaseKernels() : null, _kernel, _stride, _padding);

    /// <summary>
    /// This layer followed by <paramref name="bn"/> (or alone) as one layer with fixed weights for evaluation: the BN's
    /// scale multiplies each output channel's weights and bias, and the upsampling kernels are built once, not per call.
    /// </summary>
    public EvalLayer Fold(TorchSharp.Modules.BatchNorm2d? bn)
    {
        using var _ = torch.no_grad();
        Tensor w = weight.detach().clone(), b = bias.detach().clone();
        if (bn is not null)
        {
            var (scale, shift) = BatchNormFolding.Affine(bn);
            w = w * scale.view(1, -1, 1, 1);
            b = b * scale + shift;
        }
        Tensor? phases = _kernel == 4 && _stride == 2 && _padding == 1 ? PhaseKernels(w, Taps(w.device)) : null;
        return new Folded(w.DetachFromDisposeScope(), b.DetachFromDisposeScope(), phases?.DetachFromDisposeScope(), _kernel, _stride, _padding);
    }

    /// <summary>The weights (in, out, k, k) as in × (k·k·out): a product with them writes each output pixel's channels together.</summary>
    private static Tensor PixelMajor(Tensor weight) => weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1);

    /// <summary>
    /// On a 1×1 input (the decoder's first layer) the output comes out channels-last, and the layers after it keep
    /// that layout (convolution, batch norm, pixel shuffle, activations). Against NCHW that trained smallcnn with the
    /// decoder at 1,473–1,645 images/s instead of 1,288–1,525 (batches of 64, 2 threads, 7 repeats; `labelrep bench
    /// --models smallcnn --decoder`), and its attack steps are faster too. Output values differ by float rounding only.
    /// </summary>
    private static Tensor Apply(Tensor input, Tensor weight, Tensor bias, Tensor? phaseKernels, int kernel, int stride, int padding, Tensor? pixelMajor = null)
    {
        long batch = input.shape[0], outChannels = weight.shape[1];
        if (stride == 1 && padding == 0 && input.shape[2] == 1 && input.shape[3] == 1)
        {
            Tensor flat = input.reshape(batch, -1).mm(pixelMajor ?? PixelMajor(weight));
            return flat.view(batch, kernel, kernel, outChannels).permute(0, 3, 1, 2).add(bias.view(1, outChannels, 1, 1));
        }
        if (phaseKernels is not null)
            return F.pixel_shuffle(F.conv2d(input, phaseKernels, bias.repeat_interleave(4), padding: new long[] { 1, 1 }), 2);
        return F.conv_transpose2d(input, weight, bias, strides: new long[] { stride, stride }, padding: new long[] { padding, padding });
    }

    private sealed class Folded : EvalLayer
    {
        private readonly Tensor _weight, _bias;
        private readonly Tensor? _phases;
        private readonly Tensor? _pixelMajor; // the 1×1 case's weights in × (k·k·out)
        private readonly int _kernel, _stride, _padding;

        public Folded(Tensor weight, Tensor bias, Tensor? phases, int kernel, int stride, int padding)
        {
            _weight = weight;
            _bias = bias;
            _phases = phases;
            _kernel = kernel;
            _stride = stride;
            _padding = padding;
            if (stride == 1 && padding == 0)
                using (torch.no_grad())
                    _pixelMajor = PixelMajor(weight).contiguous().DetachFromDisposeScope(); // built once, not per call
        }

        public override Tensor Forward(Tensor input) => Apply(input, _weight, _bias, _phases, _kernel, _stride, _padding, _pixelMajor);

        public override string Name => $"deconv{_kernel}x{_kernel}{(_stride > 1 ? "/" + _stride : "")} {_weight.shape[0]}→{_weight.shape[1]}";

        public override void Dispose()
        {
            _weight.Dispose();
            _bias.Dispose();
            _phases?.Dispose();
            _pixelMajor?.Dispose();
        }
    }

    /// <summary>(4·out, in, 3, 3): for output channel o and phase (a, b), channel 4o + 2a + b, the kernel taps that phase uses.</summary>
    private Tensor PhaseKernels() => PhaseKernels(weight, Taps(weight.device));

    /// <summary>The kernel-tap indices on <paramref name="device"/> (cached: one small tensor per layer).</summary>
    private Tensor Taps(Device device)
    {
        if (_taps is null || _taps.device.ToString() != device.ToString())
        {
            _taps?.Dispose();
            // Phase 0 reads input offsets −1, 0, +1 with kernel taps 3, 1, none; phase 1 with none, 2, 0 (4 = the zero pad).
            _taps = tensor(new long[] { 3, 1, 4, 4, 2, 0 }, device: device).DetachFromDisposeScope();
        }
        return _taps;
    }

    private static Tensor PhaseKernels(Tensor weight, Tensor taps)
    {
        long inChannels = weight.shape[0], outChannels = weight.shape[1];
        Tensor padded = F.pad(weight.permute(1, 0, 2, 3), new long[] { 0, 1, 0, 1 }); // (out, in, 5, 5), last row and column zero
        var phases = new List<Tensor>(4);
        for (int a = 0; a < 2; a++)
        {
            Tensor rows = padded.index_select(2, taps.narrow(0, 3 * a, 3));
            for (int b = 0; b < 2; b++) phases.Add(rows.index_select(3, taps.narrow(0, 3 * b, 3)));
        }
        return stack(phases, 1).reshape(outChannels * 4, inChannels, 3, 3);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _taps?.Dispose();
        base.Dispose(disposing);
    }
}
