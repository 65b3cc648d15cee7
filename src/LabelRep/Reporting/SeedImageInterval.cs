using MathNet.Numerics.Distributions;

namespace LabelRep.Reporting;

/// <summary>A point estimate with its 95% interval, in the units of the values (here: share of images).</summary>
/// <param name="StandardError">The estimate's standard error under the variance model that made the interval.</param>
/// <param name="DegreesOfFreedom">Satterthwaite's degrees of freedom of that standard error (the t quantile's).</param>
public sealed record Interval(double Estimate, double Lower, double Upper, double StandardError = 0, double DegreesOfFreedom = double.PositiveInfinity)
{
    public double Width => Upper - Lower;

    /// <summary>"+1.2 [−0.4, +2.9]" in percentage points.</summary>
    public string Points() => $"{Format.Points(Estimate)} [{Format.Points(Lower)}, {Format.Points(Upper)}]";

    /// <summary>"88.1% [87.4, 88.8]".</summary>
    public string Percent() => $"{Format.Percent(Estimate)}% [{Format.Percent(Lower)}, {Format.Percent(Upper)}]";
}

/// <summary>
/// One comparable group of runs (a dataset and model): per seed, per image, a value in [0, 1] (classified correctly,
/// or robust). Row s of <see cref="Baseline"/> and of <see cref="Other"/> come from the same training seed (paired by the
/// seed's value); the columns are the same test images in the same order.
/// </summary>
public sealed record PairedGroup(double[][] Baseline, double[][] Other)
{
    /// <summary>Per seed and image, Other − Baseline.</summary>
    public double[][] Differences() => Other.Zip(Baseline, (o, b) => o.Zip(b, (x, y) => x - y).ToArray()).ToArray();
}

/// <summary>
/// The variance of a mean over a crossed design: S training seeds × N test images, every seed evaluated on the same
/// images. A value v[s][i] splits into a seed part, an image part and the rest (the two-way random-effects ANOVA
/// without replication); with independent seeds and independently drawn images that split is exact for any values
/// (the Hoeffding decomposition), and the grand mean's variance is σ²_seed/S + σ²_image/N + σ²_rest/(S·N).
/// <list type="bullet">
/// <item>The seed means' spread (mean square MS_seed / N) estimates σ²_seed + σ²_rest/N: what differs between seeds.
/// It cannot show σ²_image, because every seed sees the same images.</item>
/// <item>The images' share is (MS_image − MS_rest)/(S·N), clipped at 0: the spread of the images' means over seeds,
/// less what the seed-image noise already explains.</item>
/// </list>
/// See docs/statistics.md for the derivation, the degrees of freedom and the calibration.
/// </summary>
public sealed record CrossedVariance(int Seeds, int Images, double Mean, double SeedMeanSquare, double ImageMeanSquare, double ResidualMeanSquare)
{
    public static CrossedVariance Of(double[][] values)
    {
        int seeds = values.Length, images = values[0].Length;
        if (values.Any(v => v.Length != images)) throw new ArgumentException("every seed needs the same images", nameof(values));
        var seedMean = new double[seeds];
        var imageMean = new double[images];
        double grand = 0;
        for (int s = 0; s < seeds; s++)
        {
            double sum = 0;
            for (int i = 0; i < images; i++)
            {
                sum += values[s][i];
                imageMean[i] += values[s][i];
            }
            seedMean[s] = sum / images;
            grand += sum;
        }
        grand /= (double)seeds * images;
        for (int i = 0; i < images; i++) imageMean[i] /= seeds;
        double seedSquares = 0, imageSquares = 0, residualSquares = 0;
        for (int s = 0; s < seeds; s++) seedSquares += (seedMean[s] - grand) * (seedMean[s] - grand);
        for (int i = 0; i < images; i++) imageSquares += (imageMean[i] - grand) * (imageMean[i] - grand);
        for (int s = 0; s < seeds; s++)
            for (int i = 0; i < images; i++)
            {
                double r = values[s][i] - seedMean[s] - imageMean[i] + grand;
                residualSquares += r * r;
            }
        return new CrossedVariance(seeds, images, grand,
            seeds > 1 ? images * seedSquares / (seeds - 1) : double.NaN,
            images > 1 ? seeds * imageSquares / (images - 1) : 0,
            seeds > 1 && images > 1 ? residualSquares / ((seeds - 1.0) * (images - 1)) : 0);
    }

    /// <summary>σ²_seed: the variance of a seed's effect on the mean (clipped at 0).</summary>
    public double SeedComponent => Math.Max(0, (SeedMeanSquare - ResidualMeanSquare) / Images);

    /// <summary>σ²_image: the variance of an image's effect, shared by every seed (clipped at 0).</summary>
    public double ImageComponent => Math.Max(0, (ImageMeanSquare - ResidualMeanSquare) / Seeds);

    /// <summary>σ²_rest: what is neither (seed-image interaction and the 0/1 noise).</summary>
    public double ResidualComponent => ResidualMeanSquare;

    /// <summary>
    /// The variance of the mean as measured, as its terms: the seed means' spread over S (whose chi-square law with S − 1
    /// degrees of freedom makes the interval Student's t when the images add nothing) and the images' shared part.
    /// </summary>
    internal IEnumerable<(double Term, double Df, bool OfSeeds)> Terms()
    {
        double n = (double)Seeds * Images;
        yield return (SeedMeanSquare / n, Seeds - 1, true);
        // The images' share, (MS_image − MS_rest)/(S·N), counted with the images' N − 1 degrees of freedom: Satterthwaite's
        // formula for a difference of mean squares falls toward 0 degrees of freedom as the share does (an astronomical t
        // quantile on a negligible term), and with hundreds of images the share's own uncertainty hardly matters.
        if (ImageMeanSquare > ResidualMeanSquare)
            yield return ((ImageMeanSquare - ResidualMeanSquare) / n, Images - 1, false);
    }

    /// <summary>
    /// The variance of the mean with <paramref name="seeds"/> seeds and <paramref name="images"/> images, from the
    /// measured components, with its terms for Satterthwaite's degrees of freedom (a plan's power).
    /// </summary>
    internal IEnumerable<(double Term, double Df, bool OfSeeds)> ProjectedTerms(int seeds, int images)
    {
        // The seed means' spread at the new size: σ²_seed + σ²_rest/N' per seed.
        yield return ((SeedComponent + ResidualComponent / images) / seeds, seeds - 1, true);
        yield return (ImageComponent / images, images - 1, false);
    }
}

/// <summary>
/// Intervals over a study's seeds and images: a paired t interval on per-seed differences (seeds are the unit) that
/// also carries the images' shared variance, with Satterthwaite's degrees of freedom; pooled over (dataset, model)
/// groups as the mean of the groups' means. Analytic, so the same numbers give the same report byte for byte.
/// Student's quantiles come from MathNet.Numerics. docs/statistics.md says why and shows its coverage
/// (<c>labelrep selftest calibration</c>).
/// </summary>
public static class SeedImageInterval
{
    public const double Level = 0.95;

    /// <summary>Fewer seeds than this get no interval at all: one seed cannot show the seed-to-seed noise.</summary>
    public const int MinSeeds = 2;

    /// <summary>The interval of the mean over groups of (mean over seeds and images of Other − Baseline).</summary>
    public static Interval Difference(IReadOnlyList<PairedGroup> groups) => Mean(groups.Select(g => g.Differences()).ToArray());

    /// <summary>The interval of the mean value itself (one label kind's accuracy), pooled over groups.</summary>
    public static Interval Mean(IReadOnlyList<double[][]> groups)
    {
        var parts = Parts(groups);
        double estimate = parts.Average(p => p.Mean);
        var terms = parts.SelectMany(p => p.Terms()).Select(t => (Term: t.Term / (parts.Count * (double)parts.Count), t.Df, t.OfSeeds)).ToArray();
        return Around(estimate, terms, Level);
    }

    /// <summary>Each group's variance components (seeds × images).</summary>
    public static IReadOnlyList<CrossedVariance> Parts(IReadOnlyList<double[][]> groups)
    {
        if (groups.Count == 0) throw new ArgumentException("no groups", nameof(groups));
        var parts = groups.Select(CrossedVariance.Of).ToArray();
        if (parts.Any(p => p.Seeds < MinSeeds)) throw new ArgumentException($"an interval needs at least {MinSeeds} seeds in every group", nameof(groups));
        return parts;
    }

    /// <summary>
    /// A two-sided interval at <paramref name="level"/> around an estimate whose variance is a seed part (few degrees of
    /// freedom) and an image part (many): each part's half-width takes its own t quantile, and the two add in quadrature.
    /// With the seeds alone this is Student's t interval on the seed means; with the images alone, the normal one.
    /// </summary>
    internal static Interval Around(double estimate, IReadOnlyList<(double Term, double Df, bool OfSeeds)> terms, double level)
    {
        double variance = terms.Sum(t => t.Term);
        if (!(variance > 0)) return new Interval(estimate, estimate, estimate, 0, double.PositiveInfinity);
        double half = HalfWidth(terms, 0.5 + level / 2);
        double se = Math.Sqrt(variance);
        return new Interval(estimate, estimate - half, estimate + half, se, Satterthwaite(terms));
    }

    /// <summary>
    /// The distance from the estimate to its <paramref name="p"/> quantile: the seed part's and the image part's standard
    /// errors, each times Student's quantile at its own (Satterthwaite) degrees of freedom, added in quadrature.
    /// </summary>
    private static double HalfWidth(IReadOnlyList<(double Term, double Df, bool OfSeeds)> terms, double p)
    {
        double Part(bool ofSeeds)
        {
            var part = terms.Where(t => t.OfSeeds == ofSeeds).ToArray();
            double variance = part.Sum(t => t.Term);
            return variance > 0 ? Math.Pow(TQuantile(p, Satterthwaite(part)), 2) * variance : 0;
        }
        return Math.Sqrt(Part(true) + Part(false));
    }

    /// <summary>Satterthwaite's degrees of freedom of a sum of mean-square terms: (Σ t)² / Σ t²/df.</summary>
    internal static double Satterthwaite(IReadOnlyList<(double Term, double Df, bool OfSeeds)> terms)
    {
        double variance = terms.Sum(t => t.Term);
        double denominator = terms.Where(t => t.Df > 0 && t.Term != 0).Sum(t => t.Term * t.Term / t.Df);
        return denominator > 0 ? variance * variance / denominator : double.PositiveInfinity;
    }

    /// <summary>Student's t quantile (MathNet.Numerics); the normal's beyond a million degrees of freedom.</summary>
    public static double TQuantile(double p, double df) =>
        df >= 1e6 ? Normal.InvCDF(0, 1, p) : StudentT.InvCDF(0, 1, df, p);

    /// <summary>
    /// The plan that would settle a difference: the smallest number of seeds whose interval would clear
    /// <paramref name="threshold"/> with 80% power if the mean and the variance components stay as measured —
    /// |mean − threshold| ≥ the interval's half-width plus the same at the 80% quantile — pooled as the interval pools.
    /// First at the groups' images (from <paramref name="fewestSeeds"/>, the fewest a verdict takes, to
    /// <paramref name="maxSeeds"/>); when seeds alone cannot (the images' shared variance alone is wider than the gap),
    /// with more images (up to <paramref name="maxImages"/>) and the fewest seeds (up to 100) that then do. Neither: no
    /// realistic number.
    /// </summary>
    public static Plan PlanToClear(IReadOnlyList<PairedGroup> groups, double threshold, int fewestSeeds, int maxSeeds = 1000, long maxImages = 10_000_000)
    {
        var parts = Parts(groups.Select(g => g.Differences()).ToArray());
        double gap = Math.Abs(parts.Average(p => p.Mean) - threshold);
        bool Clears(int seeds, long images)
        {
            var terms = parts.SelectMany(p => p.ProjectedTerms(seeds, (int)Math.Min(int.MaxValue, images)))
                .Select(t => (Term: t.Term / (parts.Count * (double)parts.Count), t.Df, t.OfSeeds)).ToArray();
            if (!(terms.Sum(t => t.Term) > 0)) return gap > 0;
            return gap >= HalfWidth(terms, 0.975) + HalfWidth(terms, 0.80);
        }
        if (gap < 1e-12) return new Plan(null, null);
        int first = Math.Max(MinSeeds, fewestSeeds);
        int imagesNow = parts.Min(p => p.Images);
        for (int seeds = first; seeds <= maxSeeds; seeds++)
            if (Clears(seeds, imagesNow)) return new Plan(seeds, null);
        for (long images = (long)Math.Ceiling(imagesNow * 1.25); images <= maxImages; images = (long)Math.Ceiling(images * 1.25))
            for (int seeds = first; seeds <= 100; seeds++)
                if (Clears(seeds, images)) return new Plan(null, new ImagePlan(images, seeds));
        return new Plan(null, null);
    }
}

/// <summary>What would settle a difference: <see cref="Seeds"/> at today's images, else <see cref="Images"/>; neither: no realistic number.</summary>
public sealed record Plan(int? Seeds, ImagePlan? Images);

/// <summary>Test images (at <see cref="AtSeeds"/> seeds) that would settle a difference the seeds alone cannot.</summary>
public sealed record ImagePlan(long Images, int AtSeeds);
