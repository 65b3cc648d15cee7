using MathNet.Numerics.Distributions;

namespace LabelRep.Reporting;

/// <summary>
/// A simulated study design for the calibration: two label kinds' runs (S seeds each, paired by seed) on the same N
/// test images, whose correctness follows a probit model with a known truth. Image i is correct for kind k and seed s
/// when θ_k + λ·η_i + ζ_ki + u_ks + ε_ksi &gt; 0, with η_i (how easy the image is, shared by every kind), ζ_ki (what
/// is easy for one kind only), u_ks (the seed's luck) and ε_ksi (the rest) independent normals of SDs 1, τ, σ_seed and
/// 1. The population accuracy of kind k is then exactly Φ(θ_k / √(1 + λ² + τ² + σ²_seed)), so the true difference is
/// set exactly; here it is put on the claim's threshold, the hardest place for a verdict.
/// </summary>
/// <param name="Name">Where the numbers come from (docs/statistics.md has the measurements).</param>
/// <param name="BaselineAccuracy">The baseline kind's population accuracy (or robust accuracy).</param>
/// <param name="Difference">The true difference (other − baseline), a share; the claim's threshold.</param>
public sealed record CalibrationDesign(string Name, int Images, double BaselineAccuracy, double Difference, double Ease, double KindEase, double SeedNoise)
{
    private double Scale => Math.Sqrt(1 + Ease * Ease + KindEase * KindEase + SeedNoise * SeedNoise);

    /// <summary>θ of a kind with population accuracy <paramref name="accuracy"/>.</summary>
    private double Theta(double accuracy) => Scale * Normal.InvCDF(0, 1, accuracy);

    /// <summary>One simulated study: per seed, per image, each kind's correctness (1 or 0), as a paired group.</summary>
    public PairedGroup Draw(int seeds, Random random)
    {
        double thetaBase = Theta(BaselineAccuracy), thetaOther = Theta(BaselineAccuracy + Difference);
        var ease = new double[Images];
        var easeBase = new double[Images];
        var easeOther = new double[Images];
        for (int i = 0; i < Images; i++)
        {
            ease[i] = Ease * Gaussian(random);
            easeBase[i] = KindEase * Gaussian(random);
            easeOther[i] = KindEase * Gaussian(random);
        }
        var baseline = new double[seeds][];
        var other = new double[seeds][];
        for (int s = 0; s < seeds; s++)
        {
            double luckBase = SeedNoise * Gaussian(random), luckOther = SeedNoise * Gaussian(random);
            baseline[s] = new double[Images];
            other[s] = new double[Images];
            for (int i = 0; i < Images; i++)
            {
                baseline[s][i] = thetaBase + ease[i] + easeBase[i] + luckBase + Gaussian(random) > 0 ? 1 : 0;
                other[s][i] = thetaOther + ease[i] + easeOther[i] + luckOther + Gaussian(random) > 0 ? 1 : 0;
            }
        }
        return new PairedGroup(baseline, other);
    }

    /// <summary>A standard normal draw (Marsaglia's polar method on the given generator, so a seed fixes every study).</summary>
    private static double Gaussian(Random random)
    {
        while (true)
        {
            double u = 2 * random.NextDouble() - 1, v = 2 * random.NextDouble() - 1, r = u * u + v * v;
            if (r > 0 && r < 1) return u * Math.Sqrt(-2 * Math.Log(r) / r);
        }
    }
}

/// <summary>One line of the calibration: a design at S seeds, and how its intervals and verdicts did over many simulated studies.</summary>
/// <param name="Coverage">The share of studies whose 95% interval contains the true difference.</param>
/// <param name="FalseSupported">The share of studies whose verdict was "supported" although the truth lies exactly on the threshold (nominal: 2.5%).</param>
/// <param name="Verdicts">The share of studies that got any verdict (0 where the seeds are too few for one).</param>
public sealed record CalibrationResult(CalibrationDesign Design, int Seeds, int Studies, double Coverage, double FalseSupported, double Verdicts)
{
    /// <summary>"calibration S=3 N=200 coverage=0.9490 false_supported=0.0235".</summary>
    public string Line() =>
        $"calibration S={Seeds} N={Design.Images} coverage={Format.Number(Coverage, "0.0000")} false_supported={Format.Number(FalseSupported, "0.0000")}";
}

/// <summary>
/// The self-test of the claims' statistics: simulated studies with a known truth go through the very code the report
/// uses (<see cref="SeedImageInterval.Difference"/> for the interval, <see cref="Claims.Verdict"/> for the verdict),
/// and the share of intervals that cover the truth, and of false "supported" verdicts, is counted.
/// </summary>
public static class Calibration
{
    /// <summary>The seed counts the issue's requirement names: from 3 up, coverage within [93.5%, 96.5%] and at most 3.5% false "supported".</summary>
    public static readonly int[] SeedCounts = { 2, 3, 5, 10 };

    /// <summary>
    /// Designs measured on real studies (docs/statistics.md, "Where the designs come from"): the quick preset's robust
    /// accuracy at 8/255 on 200 attacked images and its test accuracy on 10,000, and a 1,000-image attack.
    /// </summary>
    public static readonly CalibrationDesign[] Designs =
    {
        new("quick: robust accuracy at 8/255, 200 attacked images", 200, 0.59, Claims.RobustnessPoints / 100, Ease: 3.5, KindEase: 0.4, SeedNoise: 0.35),
        new("1,000 attacked images", 1000, 0.59, Claims.RobustnessPoints / 100, Ease: 3.5, KindEase: 0.4, SeedNoise: 0.35),
        new("quick: test accuracy, 10,000 test images", 10_000, 0.80, -Claims.ParityPoints / 100, Ease: 3.5, KindEase: 0.5, SeedNoise: 0.12),
    };

    public static CalibrationResult Run(CalibrationDesign design, int seeds, int studies, int generatorSeed = 20210504, IProgress<int>? progress = null,
        CancellationToken cancel = default)
    {
        // A seed of its own per design and S (HashCode.Combine would differ from process to process).
        var random = new Random(unchecked(generatorSeed + 1_000_003 * seeds + 7_919 * design.Images));
        int covered = 0, supported = 0, decided = 0;
        double truth = design.Difference;
        for (int study = 0; study < studies; study++)
        {
            cancel.ThrowIfCancellationRequested();
            PairedGroup group = design.Draw(seeds, random);
            Interval interval = SeedImageInterval.Difference(new[] { group });
            if (interval.Lower <= truth && truth <= interval.Upper) covered++;
            // The claim: the other kind's difference lies above the threshold, which is exactly the truth.
            var part = new KindDifference("other", interval, ExpectAbove: true, truth, Plan: null, seeds);
            string verdict = Claims.Verdict(new[] { part });
            if (verdict == "supported") supported++;
            if (!verdict.StartsWith("no verdict", StringComparison.Ordinal)) decided++;
            progress?.Report(study + 1);
        }
        return new CalibrationResult(design, seeds, studies, covered / (double)studies, supported / (double)studies, decided / (double)studies);
    }
}
