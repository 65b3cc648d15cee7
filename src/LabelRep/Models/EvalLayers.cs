using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LabelRep.Models;

/// <summary>
/// One step of a model as evaluation runs it: a forward pass whose gradients flow to its input only. Layers that
/// fold batch norm own their folded weights (<see cref="Dispose"/> frees them); layers that wrap one of the model's
/// own modules share it and never dispose it.
/// </summary>
public abstract class EvalLayer : IDisposable
{
    public abstract Tensor Forward(Tensor input);

    /// <summary>What the layer is, for profiles (<c>labelrep bench --mode attack-layers</c>): "conv3x3 1→32", "ReLU".</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The layers a forward pass runs in order: this one, or a chain's members, recursively.</summary>
    public virtual IEnumerable<EvalLayer> Flatten() => new[] { this };

    public virtual void Dispose() { }
}

/// <summary>One of the model's modules run as it is (an activation, a pooling; or a backbone without a folded form): shared, not owned.</summary>
public sealed class ModuleLayer : EvalLayer
{
    private readonly Module<Tensor, Tensor> _module;

    public ModuleLayer(Module<Tensor, Tensor> module) => _module = module;

    public override Tensor Forward(Tensor input) => _module.call(input);

    public override string Name => _module.GetType().Name;
}

/// <summary>A function of the input (an activation or a reshape), owning nothing.</summary>
public sealed class FunctionLayer : EvalLayer
{
    private readonly Func<Tensor, Tensor> _function;
    private readonly string _name;

    public FunctionLayer(Func<Tensor, Tensor> function, string name = "function")
    {
        _function = function;
        _name = name;
    }

    public override Tensor Forward(Tensor input) => _function(input);

    public override string Name => _name;
}

/// <summary>Layers in order.</summary>
public sealed class ChainLayer : EvalLayer
{
    private readonly IReadOnlyList<EvalLayer> _layers;

    public ChainLayer(IReadOnlyList<EvalLayer> layers) => _layers = layers;

    public ChainLayer(params EvalLayer[] layers) => _layers = layers;

    public override Tensor Forward(Tensor input)
    {
        Tensor x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }

    public override IEnumerable<EvalLayer> Flatten() => _layers.SelectMany(layer => layer.Flatten());

    public override string Name => string.Join(" → ", _layers.Select(layer => layer.Name));

    public override void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
    }
}

/// <summary>A linear layer with fixed weights.</summary>
public sealed class FoldedLinear : EvalLayer
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;

    public FoldedLinear(Tensor weight, Tensor? bias)
    {
        _weight = weight;
        _bias = bias;
    }

    public override Tensor Forward(Tensor input) => F.linear(input, _weight, _bias);

    public override string Name => $"linear {_weight.shape[1]}→{_weight.shape[0]}";

    public override void Dispose()
    {
        _weight.Dispose();
        _bias?.Dispose();
    }
}

/// <summary>A batch norm in eval mode with nothing to fold into: s x + t per channel (dimension 1).</summary>
public sealed class AffineLayer : EvalLayer
{
    private readonly Tensor _scale, _shift;

    public AffineLayer(Tensor scale, Tensor shift)
    {
        _scale = scale;
        _shift = shift;
    }

    public override Tensor Forward(Tensor input)
    {
        long[] shape = Enumerable.Repeat(1L, (int)input.dim()).ToArray();
        shape[1] = -1;
        return torch.addcmul(_shift.view(shape), input, _scale.view(shape), 1);
    }

    public override string Name => $"batch norm {_scale.shape[0]} (affine)";

    public override void Dispose()
    {
        _scale.Dispose();
        _shift.Dispose();
    }
}

/// <summary>A 2-D convolution with fixed (folded) weights and bias.</summary>
public sealed class FoldedConv2d : EvalLayer, IOwnInputGradient
{
    private readonly Tensor _weight;
    private readonly Tensor? _bias;
    private readonly long[] _stride, _padding, _dilation;
    private readonly long _groups;

    private readonly Tensor? _taps; // (kh·kw) × O, for the input gradient of a one-channel convolution; null for any other

    public FoldedConv2d(Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups)
    {
        _weight = weight;
        _bias = bias;
        _stride = stride;
        _padding = padding.Length == 1 ? new[] { padding[0], padding[0] } : padding;
        _dilation = dilation;
        _groups = groups;
        if (OneChannelConvGradient.Handles(weight, stride, dilation, groups))
            using (torch.no_grad())
                _taps = weight.reshape(weight.shape[0], -1).t().contiguous().DetachFromDisposeScope();
    }

    /// <summary>
    /// The convolution. When the input needs a gradient and has one channel (stride 1), that gradient comes from
    /// <see cref="OneChannelConvGradient"/>, several times faster than libtorch's; the output is the same either way.
    /// </summary>
    public override Tensor Forward(Tensor input) =>
        _taps is not null && input.requires_grad && torch.is_grad_enabled() ? OwnInputGradient.Apply(input, this) : Convolve(input);

    private Tensor Convolve(Tensor input) => F.conv2d(input, _weight, _bias, _stride, _padding, _dilation, _groups);

    Tensor IOwnInputGradient.Output(Tensor input) => Convolve(input);

    Tensor IOwnInputGradient.InputGradient(Tensor outputGradient) => OneChannelConvGradient.Of(this, outputGradient);

    public override string Name =>
        $"conv{KernelHeight}x{KernelWidth}{(_stride.Any(s => s > 1) ? "/" + _stride[0] : "")} {_weight.shape[1] * _groups}→{_weight.shape[0]}";

    internal Tensor TapMatrix => _taps ?? throw new InvalidOperationException("not a one-channel convolution");
    internal long KernelHeight => _weight.shape[2];
    internal long KernelWidth => _weight.shape[3];
    internal long[] Padding => _padding;

    public override void Dispose()
    {
        _weight.Dispose();
        _bias?.Dispose();
        _taps?.Dispose();
    }
}
