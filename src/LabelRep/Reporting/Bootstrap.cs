namespace LabelRep.Reporting;

/// <summary>A point estimate with its 95% interval, in the units of the values (here: share of images).</summary>
public sealed record Interval(double Estimate, double Lower, double Upper)
{
    public double Width => Upper - Lower;

    /// <summary>"+1.2 [−0.4, +2.9]" in percentage points.</summary>
    public string Points() => $"{Estimate * 100:+0.0;-0.0} [{Lower * 100:+0.0;-0.0}, {Upper * 100:+0.0;-0.0}]";

    /// <summary>"88.1% [87.4, 88.8]".</summary>
    public string Percent() => $"{Estimate * 100:0.0}% [{Lower * 100:0.0}, {Upper * 100:0.0}]";
}

/// <summary>
/// One comparable group of runs (a dataset and model): per seed, per image, a value in [0, 1] (classified correctly,
/// or the share of ε at which the image stayed robust). Seeds of different label kinds are paired by their index in
/// the study's seed list; images are the same test images in the same order.
/// </summary>
public sealed record PairedGroup(double[][] Baseline, double[][] Other);

/// <summary>
/// A paired bootstrap over seeds and test images (Efron's percentile interval): each of <see cref="Resamples"/>
/// replicates draws the seeds and the images with replacement, the same draws for both label kinds, so the interval of
/// a difference accounts for both sources of noise and for their pairing. Deterministic: a fixed generator seed.
/// </summary>
public static class Bootstrap
{
    public const int Resamples = 2000;

    /// <summary>The interval of mean over groups of (mean over seeds and images of Other − Baseline).</summary>
    public static Interval Difference(IReadOnlyList<PairedGroup> groups, int resamples = Resamples, int seed = 20210504)
    {
        if (groups.Count == 0) throw new ArgumentException("no groups", nameof(groups));
        var differences = groups.Select(g => g.Other.Zip(g.Baseline, (o, b) => o.Zip(b, (x, y) => x - y).ToArray()).ToArray()).ToArray();
        return Resample(differences, resamples, seed);
    }

    /// <summary>The interval of the mean value itself (one label kind's accuracy).</summary>
    public static Interval Mean(IReadOnlyList<double[][]> groups, int resamples = Resamples, int seed = 20210504) =>
        Resample(groups.ToArray(), resamples, seed);

    private static Interval Resample(double[][][] groups, int resamples, int seed)
    {
        double estimate = groups.Average(g => g.Average(s => s.Average()));
        var random = new Random(seed);
        var replicates = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double total = 0;
            foreach (double[][] g in groups)
            {
                int seeds = g.Length, images = g[0].Length;
                // Draw the seeds (their multiplicities), then sum the drawn images over the drawn seeds.
                var weights = new int[seeds];
                for (int s = 0; s < seeds; s++) weights[random.Next(seeds)]++;
                double sum = 0;
                for (int i = 0; i < images; i++)
                {
                    int image = random.Next(images);
                    for (int s = 0; s < seeds; s++)
                        if (weights[s] != 0) sum += weights[s] * g[s][image];
                }
                total += sum / ((double)seeds * images);
            }
            replicates[b] = total / groups.Length;
        }
        Array.Sort(replicates);
        return new Interval(estimate, Quantile(replicates, 0.025), Quantile(replicates, 0.975));
    }

    private static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>
    /// How many seeds the interval of a difference would need to clear <paramref name="threshold"/>, with the same
    /// estimate and the measured spread (seed-to-seed standard deviation, and the image noise within a seed): the
    /// smallest S with |estimate − threshold| > t(S−1)·√(σ²_seed/S + σ²_image/(S·N)), where t(S−1) is Student's 97.5%
    /// quantile (a mean over few seeds is known less well than 1.96 standard errors say); null when the estimate sits on
    /// the threshold or more than 1,000 seeds would be needed.
    /// </summary>
    public static int? SeedsToClear(PairedGroup group, double threshold)
    {
        double[][] d = group.Other.Zip(group.Baseline, (o, b) => o.Zip(b, (x, y) => x - y).ToArray()).ToArray();
        int images = d[0].Length;
        double[] perSeed = d.Select(s => s.Average()).ToArray();
        double mean = perSeed.Average();
        double seedVariance = perSeed.Length > 1 ? perSeed.Sum(v => (v - mean) * (v - mean)) / (perSeed.Length - 1) : 0;
        double imageVariance = d.Average(s => { double m = s.Average(); return s.Sum(v => (v - m) * (v - m)) / Math.Max(1, s.Length - 1); });
        double gap = Math.Abs(mean - threshold);
        if (gap == 0) return null;
        for (int seeds = 1; seeds <= 1000; seeds++)
            if (gap > StudentQuantile975(seeds - 1) * Math.Sqrt(seedVariance / seeds + imageVariance / ((double)seeds * images))) return seeds;
        return null;
    }

    /// <summary>Student's t 97.5% quantile for <paramref name="df"/> degrees of freedom (tabulated; 1.96 in the limit).</summary>
    internal static double StudentQuantile975(int df) => df switch
    {
        < 1 => double.PositiveInfinity,
        1 => 12.706, 2 => 4.303, 3 => 3.182, 4 => 2.776, 5 => 2.571, 6 => 2.447, 7 => 2.365, 8 => 2.306, 9 => 2.262,
        10 => 2.228, <= 15 => 2.131, <= 20 => 2.086, <= 30 => 2.042, <= 60 => 2.000, <= 120 => 1.980, _ => 1.960,
    };
}
