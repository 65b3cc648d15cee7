using LabelRep.Data;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// A sum of 10 elongated 2-D Gaussians per class (§3.5, after imagen's Composite of Gaussian patterns): centres
/// uniform in the unit square, orientation uniform in [0, π), σ = 0.15 along the long axis and 0.3 of it across;
/// min-max scaled to [0, 80] on a 64×64 grid. Seeded by the label seed. imagen's exact raster is not reproduced; σ is
/// chosen so that the mean pairwise L2 distance between classes (19.0 on Fashion-MNIST) is near the official
/// cifar10_composite.npy's 19.36 (§3.11).
/// </summary>
public sealed class CompositeLabels : ILabelKind
{
    private const int Gaussians = 10;
    private const double Size = 0.15, AspectRatio = 0.3;

    public string Name => "composite";
    public string Description => "sum of 10 randomly placed and oriented elongated Gaussians, [0, 80]";
    public LabelRole Role => LabelRole.HighDimensional;

    public LabelBank Build(LabelContext context)
    {
        int classes = context.Dataset.ClassCount;
        var rng = new NumpyRandom((uint)context.Options.LabelSeed + 1);
        var data = new float[classes * 64 * 64];
        var image = new double[64 * 64];
        for (int c = 0; c < classes; c++)
        {
            Array.Clear(image);
            for (int g = 0; g < Gaussians; g++)
            {
                double cx = rng.NextDouble() - 0.5, cy = rng.NextDouble() - 0.5, theta = Math.PI * rng.NextDouble();
                double cos = Math.Cos(theta), sin = Math.Sin(theta);
                double sLong = Size, sShort = Size * AspectRatio;
                for (int r = 0; r < 64; r++)
                {
                    double y = 0.5 - (r + 0.5) / 64;
                    for (int k = 0; k < 64; k++)
                    {
                        double x = (k + 0.5) / 64 - 0.5;
                        double u = (x - cx) * cos + (y - cy) * sin, v = -(x - cx) * sin + (y - cy) * cos;
                        image[r * 64 + k] += Math.Exp(-(u * u) / (2 * sLong * sLong) - (v * v) / (2 * sShort * sShort));
                    }
                }
            }
            double min = image.Min(), max = image.Max();
            for (int i = 0; i < image.Length; i++) data[c * 4096 + i] = (float)((image[i] - min) / (max - min) * 80);
        }
        return new LabelBank(Name, torch.tensor(data, new long[] { classes, 64, 64 }));
    }
}
