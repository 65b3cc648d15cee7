using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>
/// VGG19-BN as in bearpaw's CIFAR models (docs/protocols.md §4): cfg E, conv3×3 (bias) → BN → ReLU, five 2×2 max
/// pools, 512 features. Pools use ceil mode and a final adaptive average pool, which changes nothing on 32×32 input
/// (1×1 after the last pool) and lets 28×28 and larger images through.
/// </summary>
public sealed class Vgg : Backbone
{
    private static readonly int[] Cfg19 = { 64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0 };
    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> pool;

    public Vgg(int channels) : base("vgg19_bn")
    {
        var layers = new List<Module<Tensor, Tensor>>();
        int inChannels = channels;
        foreach (int v in Cfg19)
        {
            if (v == 0)
            {
                layers.Add(MaxPool2d(2, 2, ceil_mode: true));
                continue;
            }
            layers.Add(Conv2d(inChannels, v, 3, padding: 1));
            layers.Add(BatchNorm2d(v));
            layers.Add(ReLU(inplace: true));
            inChannels = v;
        }
        features = Sequential(layers);
        pool = Sequential(AdaptiveAvgPool2d(1), Flatten());
        RegisterComponents();
        InitializeAsPaper();
    }

    public override int FeatureSize => 512;

    public override Tensor forward(Tensor input) => pool.call(features.call(input));

    public override EvalLayer Fold() => new ChainLayer(BatchNormFolding.Sequence(features), BatchNormFolding.Sequence(pool));
}

/// <summary>"vgg19": <see cref="Vgg"/>, the paper's VGG19-BN.</summary>
public sealed class Vgg19Backbone : IBackbone
{
    public string Name => "vgg19";
    public string Description => "VGG19-BN, the paper's (512 features)";
    public Backbone Create(int channels) => new Vgg(channels);
}
