using LabelRep.Data;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// The official composite labels (docs/protocols.md §3), as the notebook makes them with imagen: per class, an
/// imagen Composite (np.add) of 10 Gaussians of size 0.15 and imagen's default aspect ratio 1/0.31 (σ_y = 0.075,
/// σ_x ≈ 0.242), drawn on imagen's default 256×256 raster of [−0.5, 0.5]², min-max scaled to [0, 255], resized to
/// 64×64 with Pillow's bicubic filter, then scaled to [0, 80]. Gaussian i takes its x from random stream i+1, its y from
/// stream i+2 and its orientation (π·U) from stream i+3, as the notebook's numbergen seeds do, so Gaussian i+1's x is
/// Gaussian i's y. imagen's random numbers themselves cannot be reproduced; the streams here are numpy's, seeded from
/// the label seed, and the statistics match the official cifar10_composite.npy (a test checks them).
/// </summary>
public sealed class CompositeLabels : ILabelKind
{
    private const int Gaussians = 10, Raster = 256, Size = 64;
    private const double GaussianSize = 0.15, AspectRatio = 1 / 0.31;

    public string Name => "composite";
    public string Description => "sum of 10 randomly placed and oriented elongated Gaussians (imagen's recipe), [0, 80]";
    public LabelRole Role => LabelRole.HighDimensional;
    public bool DrawnAtRandom => true;

    public LabelBank Build(LabelContext context)
    {
        int classes = context.Dataset.ClassCount;
        var streams = Enumerable.Range(0, Gaussians + 3).Select(k => new NumpyRandom((uint)(context.Options.LabelSeed * 1000 + k))).ToArray();
        var data = new float[classes * Size * Size];
        var raster = new double[Raster, Raster];
        double sigmaY = GaussianSize / 2, sigmaX = AspectRatio * sigmaY;
        for (int c = 0; c < classes; c++)
        {
            double[] u = streams.Select(s => s.NextDouble()).ToArray(); // every pattern draws the next value of each stream
            Array.Clear(raster);
            for (int g = 0; g < Gaussians; g++)
            {
                double cx = u[g + 1] - 0.5, cy = u[g + 2] - 0.5, theta = Math.PI * u[g + 3];
                double cos = Math.Cos(theta), sin = Math.Sin(theta);
                for (int row = 0; row < Raster; row++)
                {
                    double y = 0.5 - (row + 0.5) / Raster - cy; // imagen's sheet coordinates: row 0 at the top
                    for (int col = 0; col < Raster; col++)
                    {
                        double x = (col + 0.5) / Raster - 0.5 - cx;
                        double px = sin * y + cos * x, py = cos * y - sin * x;
                        raster[row, col] += Math.Exp(-0.5 * (px / sigmaX) * (px / sigmaX) - 0.5 * (py / sigmaY) * (py / sigmaY));
                    }
                }
            }
            double min = double.MaxValue, max = double.MinValue;
            foreach (double v in raster) { min = Math.Min(min, v); max = Math.Max(max, v); }
            for (int row = 0; row < Raster; row++)
                for (int col = 0; col < Raster; col++)
                    raster[row, col] = (raster[row, col] - min) / (max - min) * 255;
            float[,] small = PillowResize.Bicubic(raster, Size, Size);
            for (int row = 0; row < Size; row++)
                for (int col = 0; col < Size; col++)
                    data[c * Size * Size + row * Size + col] = small[row, col] / 255f * 80f;
        }
        return new LabelBank(Name, torch.tensor(data, new long[] { classes, Size, Size }));
    }
}
