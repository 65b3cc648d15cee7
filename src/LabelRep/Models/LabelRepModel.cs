using LabelRep.Labels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>The shape of a head's output per image: a vector of <c>Dims[0]</c> values, or an H×W label image.</summary>
public sealed record HeadShape(int[] Dims)
{
    public bool IsImage => Dims.Length == 2;
    public static HeadShape Vector(int size) => new(new[] { size });
    public override string ToString() => string.Join("x", Dims);
}

/// <summary>
/// normalize → backbone → head. Takes images in [0, 1]; returns logits (categorical), a d-vector (low-dimensional
/// labels, GloVe) or an H×W label image (high-dimensional labels; 64×64, or 48×48 for the official BERT banks).
/// </summary>
public sealed class LabelRepModel : Module<Tensor, Tensor>, IImageModel
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
            if (!LabelBank.IsDecodableImage(headShape.Dims[0], headShape.Dims[1]))
                throw new LabelRepException($"labels of {headShape} have no decoder: a label image must be square with a side divisible by 16 (64×64, the official BERT's 48×48)");
            head = new LabelDecoder(backbone.FeatureSize, headShape.Dims[0]);
        }
        else
        {
            head = Linear(backbone.FeatureSize, headShape.Dims[0]);
        }
        RegisterComponents();
    }

    public HeadShape HeadShape { get; }

    public Backbone Backbone => features;

    public override Tensor forward(Tensor input) => ForwardNormalized(normalize.call(input));

    /// <summary>Images in [0, 1] → output; the same as calling the module.</summary>
    public Tensor Forward(Tensor images) => call(images);

    /// <summary>
    /// The model as evaluation runs it, from its current weights: batch norm folded into the layer before it, no
    /// autograd state for weights (<see cref="BatchNormFolding"/>). The caller disposes it; it frees only the folded
    /// tensors, never this model's modules.
    /// </summary>
    public FoldedModel FoldForEvaluation()
    {
        using var _ = torch.no_grad();
        // Every intermediate tensor of the fold is freed here, on this thread: tensors left to the finalizer thread
        // free native memory concurrently with the caller's libtorch calls, which can corrupt the native heap (a
        // study process crashed with SIGSEGV until this scope was added). The folded weights are detached from it.
        using var scope = torch.NewDisposeScope();
        EvalLayer backbone = BatchNormFolding.Single(features);
        EvalLayer folded = BatchNormFolding.Single(head);
        return new FoldedModel(this, backbone, folded);
    }

    /// <summary>The model from normalized inputs on: backbone → head, skipping the first layer (the paper's attack space).</summary>
    public Tensor ForwardNormalized(Tensor normalized) => head.call(features.call(Layout(normalized)));

    /// <summary>The first layer, (x − mean) / std.</summary>
    public Normalize Normalization => normalize;

    /// <summary>The backbone's features (penultimate layer) for images in [0, 1].</summary>
    public Tensor Features(Tensor input) => features.call(Layout(normalize.call(input)));

    /// <summary>
    /// Whether the backbone sees its images laid out channels-last (NHWC in memory, NCHW in shape; the default).
    /// libtorch's convolutions, batch norms and poolings then keep that layout through the backbone, which trains
    /// smallcnn ~1.5× and the ResNets ~1.3× faster on CPU than NCHW (bench/compare.sh). The two layouts differ only
    /// by float rounding. False gives libtorch's default NCHW (for <c>labelrep bench --layout nchw</c>).
    /// </summary>
    public bool ChannelsLast { get; set; } = true;

    /// <summary>The images in the layout the backbone takes (<see cref="ChannelsLast"/>).</summary>
    internal Tensor Layout(Tensor images) => ChannelsLast ? ToChannelsLast(images) : images;

    /// <summary>The same images with channels-last strides; a no-op when they already have them.</summary>
    internal static Tensor ToChannelsLast(Tensor images)
    {
        if (images.dim() != 4 || HasChannelsLastStrides(images)) return images;
        // Not permute().contiguous(): with one channel that is a no-op that leaves NCHW strides, and libtorch then
        // keeps the whole backbone in NCHW.
        return torch.empty_strided(images.shape, ChannelsLastStrides(images), images.dtype, images.device).copy_(images);
    }

    /// <summary>Whether a 4-D tensor has dense channels-last strides (N, C, H, W laid out as N, H, W, C).</summary>
    internal static bool HasChannelsLastStrides(Tensor images) => images.stride().SequenceEqual(ChannelsLastStrides(images));

    private static long[] ChannelsLastStrides(Tensor images)
    {
        long c = images.shape[1], h = images.shape[2], w = images.shape[3];
        return new[] { h * w * c, 1, w * c, c };
    }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
