using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Models;

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
