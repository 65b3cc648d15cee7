using LabelRep.Data;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>64×64 values i.i.d. U(0, 80) per class (§3.7; the official code calls it "random"), seeded like np.random.uniform.</summary>
public sealed class RandomLabels : ILabelKind
{
    public string Name => "random";
    public string Description => "64×64 matrix of i.i.d. U(0, 80) values: high-dimensional, high entropy";
    public LabelRole Role => LabelRole.HighDimensional;
    public bool DrawnAtRandom => true;

    public LabelBank Build(LabelContext context) =>
        new(Name, Uniform(context.Options.LabelSeed + 2, context.Dataset.ClassCount, 64, 64));

    /// <summary>np.random.seed(seed); np.random.uniform(0, 80, shape).</summary>
    public static torch.Tensor Uniform(int seed, params int[] shape)
    {
        var rng = new NumpyRandom((uint)seed);
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(80 * rng.NextDouble());
        return torch.tensor(data, shape.Select(d => (long)d).ToArray());
    }
}
