using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>The shape of a head's output per image: a vector of <c>Dims[0]</c> values, or a 64×64 label image.</summary>
public sealed record HeadShape(int[] Dims)
{
    public bool IsImage => Dims.Length == 2;
    public static HeadShape Vector(int size) => new(new[] { size });
    public override string ToString() => string.Join("x", Dims);
}

/// <summary>
/// normalize → backbone → head. Takes images in [0, 1]; returns logits (categorical), a d-vector (low-dimensional
/// labels) or a 64×64 label image (high-dimensional labels).
/// </summary>
public sealed class LabelRepModel : Module<Tensor, Tensor>
{
    private readonly Normalize normalize;
    private readonly Backbone features;
    private readonly Module<Tensor, Tensor> head;

    public LabelRepModel(Normalize normalize, Backbone backbone, HeadShape headShape) : base(nameof(LabelRepModel))
    {
        this.normalize = normalize;
        features = backbone;
        HeadShape = headShape;
        if (headShape.IsImage)
        {
            if (headShape.Dims[0] != 64 || headShape.Dims[1] != 64)
                throw new LabelRepException($"the label decoder produces 64×64 labels; a {headShape} label bank needs a different decoder");
            head = new LabelDecoder(backbone.FeatureSize);
        }
        else
        {
            head = Linear(backbone.FeatureSize, headShape.Dims[0]);
        }
        RegisterComponents();
    }

    public HeadShape HeadShape { get; }

    public Backbone Backbone => features;

    public override Tensor forward(Tensor input) => head.call(features.call(normalize.call(input)));

    /// <summary>The model from normalized inputs on: backbone → head, skipping the first layer (the paper's attack space).</summary>
    public Tensor ForwardNormalized(Tensor normalized) => head.call(features.call(normalized));

    /// <summary>The first layer, (x − mean) / std.</summary>
    public Normalize Normalization => normalize;

    /// <summary>The backbone's features (penultimate layer) for images in [0, 1].</summary>
    public Tensor Features(Tensor input) => features.call(normalize.call(input));

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
