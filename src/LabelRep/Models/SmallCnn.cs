using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>
/// A ~93k-parameter CNN for CPU work: three conv-BN-ReLU blocks (32, 64, 128 channels) with 2×2 max pooling
/// between them, then average pooling to a 3×3 grid (1,152 features; global pooling lost the spatial layout and
/// trained to only 83% on Fashion-MNIST in 2 epochs). Not in the paper; it makes the study fit on a laptop.
/// </summary>
public sealed class SmallCnn : Backbone
{
    private readonly Module<Tensor, Tensor> features;

    public SmallCnn(int channels) : base(nameof(SmallCnn))
    {
        features = Sequential(
            Conv2d(channels, 32, 3, padding: 1, bias: false), BatchNorm2d(32), ReLU(inplace: true), MaxPool2d(2),
            Conv2d(32, 64, 3, padding: 1, bias: false), BatchNorm2d(64), ReLU(inplace: true), MaxPool2d(2),
            Conv2d(64, 128, 3, padding: 1, bias: false), BatchNorm2d(128), ReLU(inplace: true),
            AdaptiveAvgPool2d(3), new LayoutFlatten());
        RegisterComponents();
        InitializeAsPaper();
    }

    public override int FeatureSize => 1152;

    public override Tensor forward(Tensor input) => features.call(input);

    public override EvalLayer Fold() => BatchNormFolding.Sequence(features);
}

/// <summary>"smallcnn": <see cref="SmallCnn"/>.</summary>
public sealed class SmallCnnBackbone : IBackbone
{
    public string Name => "smallcnn";
    public string Description => "~93k-parameter CNN for CPU work (3 conv blocks, 1,152 features)";
    public Backbone Create(int channels) => new SmallCnn(channels);
}
