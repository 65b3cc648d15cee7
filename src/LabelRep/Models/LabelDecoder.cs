using LabelRep.Labels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>
/// The paper's label decoder (§4.2, "Table 5"): BatchNorm1d(F) → LeakyReLU(0.01) → Linear(F, 64) → (64, 1, 1) →
/// five ConvTranspose2d 1 → s/16 → s/8 → s/4 → s/2 → s with BN + LeakyReLU between them, no final activation →
/// (B, s, s). The first transposed convolution's kernel is s/16: 4 for the 64×64 labels, 3 for the official BERT
/// decoder's 48×48. PyTorch default initialization, as in the official code.
/// </summary>
public sealed class LabelDecoder : Module<Tensor, Tensor>, IFoldable
{
    private readonly Module<Tensor, Tensor> fc;
    private readonly Module<Tensor, Tensor> deconv;
    private readonly int _size;

    public LabelDecoder(int featureSize, int size = 64) : base(nameof(LabelDecoder))
    {
        if (!Supports(size)) throw new ArgumentException($"a label decoder makes square labels of a side divisible by 16, not {size}", nameof(size));
        _size = size;
        fc = Sequential(BatchNorm1d(featureSize), LeakyReLU(0.01), Linear(featureSize, 64));
        deconv = Sequential(
            new FastConvTranspose2d(64, 64, size / 16, stride: 1, padding: 0), BatchNorm2d(64), LeakyReLU(0.01),
            new FastConvTranspose2d(64, 32, 4, stride: 2, padding: 1), BatchNorm2d(32), LeakyReLU(0.01),
            new FastConvTranspose2d(32, 16, 4, stride: 2, padding: 1), BatchNorm2d(16), LeakyReLU(0.01),
            new FastConvTranspose2d(16, 8, 4, stride: 2, padding: 1), BatchNorm2d(8), LeakyReLU(0.01),
            new FastConvTranspose2d(8, 1, 4, stride: 2, padding: 1));
        RegisterComponents();
    }

    /// <summary>Whether a decoder can make square labels of this side (<see cref="LabelBank.IsDecodableImage"/>).</summary>
    public static bool Supports(int size) => LabelBank.IsDecodableImage(size, size);

    public override Tensor forward(Tensor features)
    {
        Tensor z = fc.call(features).view(-1, 64, 1, 1);
        return deconv.call(z).view(-1, _size, _size);
    }

    /// <summary>Each transposed convolution takes the BN after it. The first BatchNorm1d follows the backbone's pooling, so no layer precedes it to fold into: it runs as its per-channel affine map.</summary>
    public EvalLayer Fold() => new ChainLayer(
        BatchNormFolding.Sequence(fc), new FunctionLayer(z => z.view(-1, 64, 1, 1), "view"), BatchNormFolding.Sequence(deconv),
        new FunctionLayer(y => y.view(-1, _size, _size), "view"));
}
