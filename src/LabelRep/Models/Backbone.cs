using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>An image encoder: (B, C, H, W) normalized images → (B, FeatureSize) features.</summary>
public abstract class Backbone : Module<Tensor, Tensor>, IFoldable
{
    protected Backbone(string name) : base(name) { }

    /// <summary>The length of the feature vector the heads receive (512 for VGG, 64 for the CIFAR ResNets).</summary>
    public abstract int FeatureSize { get; }

    /// <summary>
    /// The backbone with batch norm folded in, for evaluation (<see cref="BatchNormFolding"/>). A backbone that is one
    /// <see cref="Sequential"/> returns <c>BatchNormFolding.Sequence(its layers)</c> (SmallCnn, VGG); one with residual
    /// blocks folds each block (CifarResNet). The default runs the backbone as it is, its own weights and BN layers
    /// included: equal, only not faster.
    /// </summary>
    public virtual EvalLayer Fold() => new ModuleLayer(this);

    /// <summary>The paper's backbone initialization (§4.1): conv weights ~ N(0, √(2/(k·k·out))), conv bias 0, BN weight 1 and bias 0.</summary>
    protected void InitializeAsPaper()
    {
        using var _ = torch.no_grad();
        foreach (var module in modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.Conv2d conv:
                    long k0 = conv.weight!.shape[2], k1 = conv.weight.shape[3], outChannels = conv.weight.shape[0];
                    conv.weight.normal_(0, Math.Sqrt(2.0 / (k0 * k1 * outChannels)));
                    conv.bias?.zero_();
                    break;
                case TorchSharp.Modules.BatchNorm2d bn:
                    bn.weight!.fill_(1);
                    bn.bias!.zero_();
                    break;
            }
        }
    }
}
