using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LabelRep.Models;

/// <summary>
/// A ConvTranspose2d (same parameters, names, shapes and initialization) computed faster where libtorch is slow.
/// <list type="bullet">
/// <item>On a 1×1 input with stride 1 and no padding (the decoder's first layer) it is a matrix product:
/// out[b, o, i, j] = Σ_c x[b, c] · W[c, o, i, j] + bias[o], written channels-last (see <see cref="Apply"/>).</item>
/// <item>Folded for evaluation with kernel 4, stride 2, padding 1 (the decoder's upsampling layers), one 2×2
/// convolution into four phases (see <see cref="Upsampling"/>).</item>
/// <item>Anything else, the upsampling layers in training among them, runs libtorch's conv_transpose2d.</item>
/// </list>
/// Training keeps libtorch's transposed convolution: on channels-last input it is faster than a rewrite into phase
/// kernels and a pixel shuffle, above all in the backward pass (docs/performance.md, "Why the custom layers exist").
/// </summary>
public sealed class FastConvTranspose2d : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly int _kernel, _stride, _padding;

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

    public override Tensor forward(Tensor input) => Apply(input, weight, bias, _kernel, _stride, _padding);

    /// <summary>
    /// This layer followed by <paramref name="bn"/> (or alone) as one layer with fixed weights for evaluation: the BN's
    /// scale multiplies each output channel's weights and bias.
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
        return new Folded(w.DetachFromDisposeScope(), b.DetachFromDisposeScope(), _kernel, _stride, _padding);
    }

    /// <summary>The weights (in, out, k, k) as in × (k·k·out): a product with them writes each output pixel's channels together.</summary>
    private static Tensor PixelMajor(Tensor weight) => weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1);

    /// <summary>
    /// On a 1×1 input (the decoder's first layer) the output comes out channels-last, and the layers after it keep
    /// that layout (transposed convolution, batch norm, activations). Against NCHW that trained smallcnn with the
    /// decoder at 1,473–1,645 images/s instead of 1,288–1,525 (batches of 64, 2 threads, 7 repeats; `labelrep bench
    /// --models smallcnn --decoder`), and its attack steps are faster too. Output values differ by float rounding only.
    /// </summary>
    private static Tensor Apply(Tensor input, Tensor weight, Tensor bias, int kernel, int stride, int padding, Tensor? pixelMajor = null)
    {
        long batch = input.shape[0], outChannels = weight.shape[1];
        if (stride == 1 && padding == 0 && input.shape[2] == 1 && input.shape[3] == 1)
        {
            Tensor flat = input.reshape(batch, -1).mm(pixelMajor ?? PixelMajor(weight));
            return flat.view(batch, kernel, kernel, outChannels).permute(0, 3, 1, 2).add(bias.view(1, outChannels, 1, 1));
        }
        return F.conv_transpose2d(input, weight, bias, strides: new long[] { stride, stride }, padding: new long[] { padding, padding });
    }

    private sealed class Folded : EvalLayer, IOwnInputGradient
    {
        private readonly Tensor _weight, _bias;
        private readonly Tensor? _pixelMajor; // the 1×1 case's weights in × (k·k·out)
        private readonly Tensor? _phaseKernels, _phaseBias; // the upsampling case's 2×2 phase kernels (see Upsampling)
        private readonly int _kernel, _stride, _padding;

        public Folded(Tensor weight, Tensor bias, int kernel, int stride, int padding)
        {
            _weight = weight;
            _bias = bias;
            _kernel = kernel;
            _stride = stride;
            _padding = padding;
            using var _ = torch.no_grad(); // built once, not per call
            if (stride == 1 && padding == 0)
                _pixelMajor = PixelMajor(weight).contiguous().DetachFromDisposeScope();
            if (Upsampling.Handles(kernel, stride, padding))
            {
                _phaseKernels = Upsampling.PhaseKernels(weight).DetachFromDisposeScope();
                _phaseBias = bias.repeat(4).DetachFromDisposeScope();
            }
        }

        public override Tensor Forward(Tensor input)
        {
            if (_phaseKernels is null) return Apply(input, _weight, _bias, _kernel, _stride, _padding, _pixelMajor);
            return input.requires_grad && torch.is_grad_enabled() ? OwnInputGradient.Apply(input, this) : Output(input);
        }

        public Tensor Output(Tensor input) => Upsampling.Phases(input, _phaseKernels!, _phaseBias!);

        /// <summary>
        /// The input gradient of the transposed convolution: a convolution by the same weights with its stride and
        /// padding, of the gradient in the output's channels-last layout. The last layer's output has one channel, and
        /// the gradient that comes back to it has NCHW strides (the label's loss sees a (B, 64·64) view), which libtorch
        /// takes for NCHW: the convolution then wrote an NCHW gradient, and every layer below it ran NCHW. The gain is
        /// small, the results are the same (docs/performance.md, "Why the custom layers exist").
        /// </summary>
        public Tensor InputGradient(Tensor outputGradient) =>
            F.conv2d(LabelRepModel.ToChannelsLast(outputGradient), _weight, strides: new long[] { _stride, _stride }, padding: new long[] { _padding, _padding });

        public override string Name => $"deconv{_kernel}x{_kernel}{(_stride > 1 ? "/" + _stride : "")} {_weight.shape[0]}→{_weight.shape[1]}";

        public override void Dispose()
        {
            _weight.Dispose();
            _bias.Dispose();
            _pixelMajor?.Dispose();
            _phaseKernels?.Dispose();
            _phaseBias?.Dispose();
        }
    }

    /// <summary>
    /// The folded upsampling layer (kernel 4, stride 2, padding 1) as evaluation runs it. Output pixel (2m + a, 2q + c)
    /// reads input rows m − 1, m with kernel rows 3, 1 when a = 0 and rows m, m + 1 with kernel rows 2, 0 when a = 1,
    /// and the same for columns. So one 2×2 convolution of the input padded by 1, with four output channels per
    /// channel (one per phase), gives every phase at once: phase (a, c) is its output shifted by (a, c). Those four
    /// are then written interleaved into a channels-last output. The input gradient (<see cref="Folded.InputGradient"/>,
    /// through <see cref="OwnInputGradient"/>) is the transposed convolution's own, a stride-2 convolution by the same
    /// weights, the same numbers libtorch's backward gives.
    /// <para>
    /// Why: libtorch's oneDNN transposed convolution is slow when its output has few channels, as the decoder's last
    /// layers' do (docs/performance.md, "Why the custom layers exist"; <c>labelrep bench --mode attack-layers --models
    /// smallcnn --decoder</c> profiles it). Training keeps libtorch's transposed convolution, whose weight gradient this
    /// path does not give.
    /// </para>
    /// </summary>
    private static class Upsampling
    {
        public static bool Handles(int kernel, int stride, int padding) => kernel == 4 && stride == 2 && padding == 1;

        /// <summary>(4·out, in, 2, 2), channel (2a + c)·out + o: the kernel taps phase (a, c) of output channel o uses.</summary>
        public static Tensor PhaseKernels(Tensor weight)
        {
            long inChannels = weight.shape[0], outChannels = weight.shape[1];
            Tensor byOutput = weight.permute(1, 0, 2, 3); // (out, in, 4, 4)
            Tensor taps = torch.tensor(new long[] { 3, 1, 2, 0 }, device: weight.device); // rows (and columns) of phase 0, then 1
            var phases = new List<Tensor>(4);
            for (int a = 0; a < 2; a++)
            {
                Tensor rows = byOutput.index_select(2, taps.narrow(0, 2 * a, 2));
                for (int c = 0; c < 2; c++) phases.Add(rows.index_select(3, taps.narrow(0, 2 * c, 2)));
            }
            return torch.stack(phases, 0).reshape(4 * outChannels, inChannels, 2, 2).contiguous();
        }

        public static Tensor Phases(Tensor input, Tensor kernels, Tensor bias)
        {
            long n = input.shape[0], h = input.shape[2], w = input.shape[3], outChannels = kernels.shape[0] / 4;
            Tensor all = F.conv2d(input, kernels, bias, padding: new long[] { 1, 1 }); // (n, 4·out, h + 1, w + 1)
            // Channels-last, phase and channel apart: a view when the convolution wrote channels-last, a copy otherwise.
            Tensor byPixel = all.permute(0, 2, 3, 1).reshape(n, h + 1, w + 1, 2, 2, outChannels);
            Tensor output = torch.empty(new[] { n, h, 2, w, 2, outChannels }, dtype: input.dtype, device: input.device);
            for (int a = 0; a < 2; a++)
                for (int c = 0; c < 2; c++)
                    output[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Single(a), TensorIndex.Colon, TensorIndex.Single(c)].copy_(
                        byPixel[TensorIndex.Colon, TensorIndex.Slice(a, a + h), TensorIndex.Slice(c, c + w), TensorIndex.Single(a), TensorIndex.Single(c)]);
            return output.view(n, 2 * h, 2 * w, outChannels).permute(0, 3, 1, 2);
        }
    }
}
