using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>(x − mean) / std per channel, as the model's first layer, so that models (and attacks) take images in [0, 1].</summary>
public sealed class Normalize : Module<Tensor, Tensor>
{
    private readonly Tensor mean;
    private readonly Tensor std;

    public Normalize(float[] meanValues, float[] stdValues) : base(nameof(Normalize))
    {
        mean = torch.tensor(meanValues).view(1, -1, 1, 1);
        std = torch.tensor(stdValues).view(1, -1, 1, 1);
        register_buffer(nameof(mean), mean);
        register_buffer(nameof(std), std);
    }

    public override Tensor forward(Tensor input) => (input - mean) / std;

    /// <summary>Per-channel means, shape (1, C, 1, 1).</summary>
    public Tensor Mean => mean;

    /// <summary>Per-channel standard deviations, shape (1, C, 1, 1).</summary>
    public Tensor Std => std;
}
