using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

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
