using LabelRep.Models;
using static TorchSharp.torch;

namespace LabelRep.Tests.Evaluation;

/// <summary>A model whose input is rounded to sixteenths first: the same decisions, but an exactly zero input gradient (a masked model).</summary>
internal sealed class QuantizedInputModel : IImageModel
{
    private readonly IImageModel _inner;

    public QuantizedInputModel(IImageModel inner) => _inner = inner;

    public Normalize Normalization => _inner.Normalization;
    public Tensor Forward(Tensor images) => _inner.Forward((images * 16).round() / 16);
    public Tensor ForwardNormalized(Tensor normalized) => throw new NotSupportedException();
    public Tensor Features(Tensor images) => _inner.Features(images);
}
