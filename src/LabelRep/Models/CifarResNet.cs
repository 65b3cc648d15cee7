using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using BatchNormModule = TorchSharp.Modules.BatchNorm2d;
using ConvModule = TorchSharp.Modules.Conv2d;

namespace LabelRep.Models;

/// <summary>
/// The CIFAR ResNet of depth 6n+2 (bearpaw, docs/protocols.md §4): conv3×3(16) → BN → ReLU, three stages of n
/// BasicBlocks (16, 32, 64 planes; strides 1, 2, 2) with 1×1 conv + BN projection shortcuts, then global average
/// pooling (AvgPool2d(8) on 32×32 input) to 64 features. ResNet-20, -32 and -110 are n = 3, 5, 18.
/// </summary>
public sealed class CifarResNet : Backbone
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> layer1;
    private readonly Module<Tensor, Tensor> layer2;
    private readonly Module<Tensor, Tensor> layer3;
    private readonly Module<Tensor, Tensor> avgpool;

    public CifarResNet(int depth, int channels) : base($"resnet{depth}")
    {
        if ((depth - 2) % 6 != 0) throw new ArgumentException("depth must be 6n+2", nameof(depth));
        int n = (depth - 2) / 6;
        conv1 = Conv2d(channels, 16, 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(16);
        int inplanes = 16;
        layer1 = MakeStage(ref inplanes, 16, n, 1);
        layer2 = MakeStage(ref inplanes, 32, n, 2);
        layer3 = MakeStage(ref inplanes, 64, n, 2);
        avgpool = Sequential(AdaptiveAvgPool2d(1), Flatten());
        RegisterComponents();
        InitializeAsPaper();
    }

    public override int FeatureSize => 64;

    public override Tensor forward(Tensor input)
    {
        Tensor x = functional.relu(bn1.call(conv1.call(input)), inplace: true);
        return avgpool.call(layer3.call(layer2.call(layer1.call(x))));
    }

    public override EvalLayer Fold() => new ChainLayer(
        BatchNormFolding.Conv((ConvModule)conv1, (BatchNormModule)bn1), new FunctionLayer(x => functional.relu(x, inplace: true), "ReLU"),
        BatchNormFolding.Sequence(layer1), BatchNormFolding.Sequence(layer2), BatchNormFolding.Sequence(layer3), BatchNormFolding.Sequence(avgpool));

    private static Module<Tensor, Tensor> MakeStage(ref int inplanes, int planes, int blocks, int stride)
    {
        var list = new List<Module<Tensor, Tensor>> { new BasicBlock(inplanes, planes, stride) };
        inplanes = planes;
        for (int i = 1; i < blocks; i++) list.Add(new BasicBlock(planes, planes, 1));
        return Sequential(list);
    }

    private sealed class BasicBlock : Module<Tensor, Tensor>, IFoldable
    {
        private readonly Module<Tensor, Tensor> conv1;
        private readonly Module<Tensor, Tensor> bn1;
        private readonly Module<Tensor, Tensor> conv2;
        private readonly Module<Tensor, Tensor> bn2;
        private readonly Module<Tensor, Tensor>? downsample;

        public BasicBlock(int inplanes, int planes, int stride) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            if (stride != 1 || inplanes != planes)
                downsample = Sequential(Conv2d(inplanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Tensor residual = downsample is null ? x : downsample.call(x);
            Tensor y = functional.relu(bn1.call(conv1.call(x)), inplace: true);
            y = bn2.call(conv2.call(y));
            return functional.relu(y.add_(residual), inplace: true);
        }

        public EvalLayer Fold() => new FoldedBlock(
            BatchNormFolding.Conv((ConvModule)conv1, (BatchNormModule)bn1), BatchNormFolding.Conv((ConvModule)conv2, (BatchNormModule)bn2),
            downsample is null ? null : BatchNormFolding.Sequence(downsample));
    }

    /// <summary>A <see cref="BasicBlock"/> with its three conv → BN pairs folded: the same forward.</summary>
    private sealed class FoldedBlock : EvalLayer
    {
        private readonly EvalLayer _conv1, _conv2;
        private readonly EvalLayer? _downsample;

        public FoldedBlock(EvalLayer conv1, EvalLayer conv2, EvalLayer? downsample)
        {
            _conv1 = conv1;
            _conv2 = conv2;
            _downsample = downsample;
        }

        public override Tensor Forward(Tensor x)
        {
            Tensor residual = _downsample is null ? x : _downsample.Forward(x);
            Tensor y = _conv2.Forward(functional.relu(_conv1.Forward(x), inplace: true));
            return functional.relu(y.add_(residual), inplace: true);
        }

        public override string Name => $"block [{_conv1.Name}, {_conv2.Name}{(_downsample is null ? "" : ", " + _downsample.Name)}]";

        public override void Dispose()
        {
            _conv1.Dispose();
            _conv2.Dispose();
            _downsample?.Dispose();
        }
    }
}

/// <summary>"resnet20": <see cref="CifarResNet"/> with n = 3.</summary>
public sealed class ResNet20Backbone : IBackbone
{
    public string Name => "resnet20";
    public string Description => "CIFAR ResNet-20 (n = 3), 64 features";
    public Backbone Create(int channels) => new CifarResNet(20, channels);
}

/// <summary>"resnet32": <see cref="CifarResNet"/> with n = 5, the paper's.</summary>
public sealed class ResNet32Backbone : IBackbone
{
    public string Name => "resnet32";
    public string Description => "CIFAR ResNet-32 (n = 5), the paper's";
    public Backbone Create(int channels) => new CifarResNet(32, channels);
}

/// <summary>"resnet110": <see cref="CifarResNet"/> with n = 18, the paper's.</summary>
public sealed class ResNet110Backbone : IBackbone
{
    public string Name => "resnet110";
    public string Description => "CIFAR ResNet-110 (n = 18), the paper's";
    public Backbone Create(int channels) => new CifarResNet(110, channels);
}
