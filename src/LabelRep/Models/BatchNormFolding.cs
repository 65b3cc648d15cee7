using TorchSharp;
using TorchSharp.Modules;
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

/// <summary>
/// Batch norm folded into the convolution before it, for evaluation: in eval mode BN is y = γ (x − μ) / √(σ² + ε) + β
/// per channel, so conv → BN equals one convolution with weights scaled by s = γ / √(σ² + ε) per output channel and
/// bias s (b − μ) + β. The folded layers hold those tensors without autograd state, so an attack's backward pass
/// computes input gradients only, and one elementwise pass per BN is gone from both directions.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>The per-channel scale s and shift t with BN(x) = s x + t, in eval mode.</summary>
    public static (Tensor Scale, Tensor Shift) Affine(BatchNorm bn)
    {
        using var _ = torch.no_grad();
        Tensor scale = bn.weight!.detach() / (bn.running_var!.detach() + bn.eps).sqrt();
        Tensor shift = bn.bias!.detach() - bn.running_mean!.detach() * scale;
        return (scale, shift);
    }

    private static EvalLayer Lone(BatchNorm bn)
    {
        var (scale, shift) = Affine(bn);
        return new AffineLayer(scale.DetachFromDisposeScope(), shift.DetachFromDisposeScope());
    }

    /// <summary>A convolution followed by <paramref name="bn"/> (or alone) as one convolution with folded weights.</summary>
    public static EvalLayer Conv(Conv2d conv, BatchNorm2d? bn)
    {
        if (conv.padding_type is not null || conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException("batch-norm folding supports zero padding given as sizes only");
        using var _ = torch.no_grad();
        Tensor weight = conv.weight!.detach();
        Tensor? bias = conv.bias?.detach();
        if (bn is not null)
        {
            var (scale, shift) = Affine(bn);
            Tensor folded = weight * scale.view(-1, 1, 1, 1);
            bias = bias is null ? shift : bias * scale + shift;
            weight = folded;
        }
        else
        {
            weight = weight.clone();
            bias = bias?.clone();
        }
        return new FoldedConv2d(weight.DetachFromDisposeScope(), bias?.DetachFromDisposeScope(), conv.stride, conv.padding!, conv.dilation, conv.groups);
    }

    /// <summary>
    /// The layers of a <see cref="Sequential"/>, each conv → BN pair (plain or <see cref="FastConvTranspose2d"/>)
    /// folded into one layer, each ReLU → max pooling pair swapped; every other child as <see cref="Single"/> makes it.
    /// </summary>
    public static EvalLayer Sequence(Module<Tensor, Tensor> module)
    {
        if (module is not TorchSharp.Modules.Sequential sequential) return Single(module);
        var children = sequential.children().ToList();
        var layers = new List<EvalLayer>(children.Count);
        for (int i = 0; i < children.Count; i++)
        {
            BatchNorm2d? next = i + 1 < children.Count ? children[i + 1] as BatchNorm2d : null;
            switch (children[i])
            {
                case Conv2d conv:
                    layers.Add(Conv(conv, next));
                    if (next is not null) i++;
                    break;
                case FastConvTranspose2d transposed:
                    layers.Add(transposed.Fold(next));
                    if (next is not null) i++;
                    break;
                case ReLU relu when i + 1 < children.Count && children[i + 1] is MaxPool2d pool:
                    // max(relu(a), relu(b), …) = relu(max(a, b, …)) exactly, and the gradient is the same too (the
                    // same first maximum wins; a non-positive maximum passes none): pooling first makes the ReLU 4×
                    // cheaper both ways.
                    layers.Add(new ModuleLayer(pool));
                    layers.Add(new ModuleLayer(relu));
                    i++;
                    break;
                case Module<Tensor, Tensor> child:
                    layers.Add(Single(child));
                    break;
                default:
                    throw new NotSupportedException($"batch-norm folding: {children[i].GetType().Name} is not a tensor-to-tensor module");
            }
        }
        return new ChainLayer(layers);
    }

    /// <summary>
    /// One module: folded when it can fold itself or is a container; a convolution, linear layer or batch norm on its
    /// own as fixed tensors (a lone BN as its per-channel affine map); anything else, which has no weights, shared as
    /// it is.
    /// </summary>
    public static EvalLayer Single(Module<Tensor, Tensor> module)
    {
        using var _ = torch.no_grad();
        return module switch
        {
            IFoldable foldable => foldable.Fold(),
            TorchSharp.Modules.Sequential => Sequence(module),
            Conv2d conv => Conv(conv, null),
            Linear linear => new FoldedLinear(linear.weight!.detach().clone().DetachFromDisposeScope(), linear.bias?.detach().clone().DetachFromDisposeScope()),
            BatchNorm bn => Lone(bn),
            _ when !module.parameters().Any() => new ModuleLayer(module),
            _ => throw new NotSupportedException($"batch-norm folding: {module.GetType().Name} has weights but no folded form; give it one (IFoldable) or fold its parent with new ModuleLayer(parent)"),
        };
    }
}

/// <summary>A module with its own folded form for evaluation (see <see cref="BatchNormFolding"/>).</summary>
public interface IFoldable
{
    /// <summary>The module with batch norm folded in, from its current weights and running statistics.</summary>
    EvalLayer Fold();
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

/// <summary>
/// A model as evaluation runs it: the same normalization and input layout, the backbone and head with batch norm
/// folded (<see cref="BatchNormFolding"/>). Class scores equal the model's in eval mode up to float rounding. Built by
/// <see cref="LabelRepModel.FoldForEvaluation"/> from the weights of that moment; a later training step does not reach
/// it. Every weight is a copy without autograd state; only modules without weights (activations, pooling) are the
/// model's own. The decoder's first BatchNorm1d follows pooling, so it has no layer to fold into and runs as its
/// per-channel affine map.
/// </summary>
public sealed class FoldedModel : IImageModel, IDisposable
{
    private readonly LabelRepModel _model;
    private readonly EvalLayer _backbone;
    private readonly EvalLayer _head;
    private readonly bool _owns;

    internal FoldedModel(LabelRepModel model, EvalLayer backbone, EvalLayer head, bool owns = true)
    {
        _model = model;
        _backbone = backbone;
        _head = head;
        _owns = owns;
    }

    /// <summary>The same folded layers for a caller that must not free them (their owner does).</summary>
    public FoldedModel Borrow() => new(_model, _backbone, _head, owns: false);

    public Normalize Normalization => _model.Normalization;

    public Tensor Forward(Tensor images) => ForwardNormalized(_model.Normalization.call(images));

    public Tensor ForwardNormalized(Tensor normalized) => _head.Forward(_backbone.Forward(_model.Layout(normalized)));

    public Tensor Features(Tensor images) => _backbone.Forward(_model.Layout(_model.Normalization.call(images)));

    /// <summary>The layers <see cref="ForwardNormalized"/> runs, in order, from the backbone's input layout on.</summary>
    public IReadOnlyList<EvalLayer> Layers => _backbone.Flatten().Concat(_head.Flatten()).ToList();

    /// <summary>Normalized images in the layout the backbone takes (the first layer's input).</summary>
    public Tensor Layout(Tensor normalized) => _model.Layout(normalized);

    public void Dispose()
    {
        if (!_owns) return;
        _backbone.Dispose();
        _head.Dispose();
    }
}

/// <summary>What evaluation needs of a model: images in [0, 1] (or normalized) to its output, and its features.</summary>
public interface IImageModel
{
    /// <summary>The first layer, (x − mean) / std.</summary>
    Normalize Normalization { get; }

    /// <summary>Images in [0, 1] → the model's output (logits, label vector or label image).</summary>
    Tensor Forward(Tensor images);

    /// <summary>Normalized images → the model's output (the paper's attack space).</summary>
    Tensor ForwardNormalized(Tensor normalized);

    /// <summary>The backbone's features (penultimate layer) for images in [0, 1].</summary>
    Tensor Features(Tensor images);
}
