using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>
/// The paper's label decoder (§4.2, "Table 5"): BatchNorm1d(F) → LeakyReLU(0.01) → Linear(F, 64) → (64, 1, 1) →
/// five ConvTranspose2d (k4) 1→4→8→16→32→64 with BN + LeakyReLU between them, no final activation → (B, 64, 64).
/// PyTorch default initialization, as in the official code.
/// </summary>
public sealed class LabelDecoder : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> fc;
    private readonly Module<Tensor, Tensor> deconv;

    public LabelDecoder(int featureSize) : base(nameof(LabelDecoder))
    {
        fc = Sequential(BatchNorm1d(featureSize), LeakyReLU(0.01), Linear(featureSize, 64));
        deconv = Sequential(
            ConvTranspose2d(64, 64, 4, stride: 1, padding: 0), BatchNorm2d(64), LeakyReLU(0.01),
            ConvTranspose2d(64, 32, 4, stride: 2, padding: 1), BatchNorm2d(32), LeakyReLU(0.01),
            ConvTranspose2d(32, 16, 4, stride: 2, padding: 1), BatchNorm2d(16), LeakyReLU(0.01),
            ConvTranspose2d(16, 8, 4, stride: 2, padding: 1), BatchNorm2d(8), LeakyReLU(0.01),
            ConvTranspose2d(8, 1, 4, stride: 2, padding: 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor features)
    {
        Tensor z = fc.call(features).view(-1, 64, 1, 1);
        return deconv.call(z).view(-1, 64, 64);
    }
}
