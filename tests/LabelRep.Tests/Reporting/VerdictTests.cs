using System.Security.Cryptography;
using System.Text;
using LabelRep.Evaluation;
using LabelRep.Reporting;
using LabelRep.Reporting.Sections;
using LabelRep.Runs;
using LabelRep.Studies;
using Xunit;

namespace LabelRep.Tests.Reporting;

public class BootstrapTests
{
    [Fact]
    public void The_bootstrap_recovers_the_binomial_interval_of_one_seed()
    {
        // Given: 4,000 images, 80% correct: the interval of the mean is about ±1.96·√(0.8·0.2/4000) = ±1.24 points
        var rng = new Random(1);
        double[] images = Enumerable.Range(0, 4000).Select(_ => rng.NextDouble() < 0.8 ? 1.0 : 0.0).ToArray();

        Interval interval = Bootstrap.Mean(new[] { new[] { images } });

        double half = 1.96 * Math.Sqrt(images.Average() * (1 - images.Average()) / images.Length);
        Assert.InRange(interval.Upper - interval.Estimate, 0.85 * half, 1.15 * half);
        Assert.InRange(interval.Estimate - interval.Lower, 0.85 * half, 1.15 * half);
    }

    [Fact]
    public void Seeds_to_clear_a_threshold_grow_with_the_spread_and_are_more_than_a_straddling_interval_has()
    {
        // Given: per seed, kind B is kind A plus a seed-dependent gain (on 2,000 images) whose mean is 4 points, 2 above the threshold
        double[][] Seeds(double[] gains) => gains.Select(g => Enumerable.Repeat(0.5, 2000).Select((v, i) => i < (int)(2000 * g) ? 1.0 : 0.0).ToArray()).ToArray();
        double[][] baseline = Seeds(new[] { 0.0, 0.0, 0.0 });
        var tight = new PairedGroup(baseline, Seeds(new[] { 0.035, 0.04, 0.045 }));
        var loose = new PairedGroup(baseline, Seeds(new[] { 0.00, 0.04, 0.08 }));

        int? tightSeeds = Bootstrap.SeedsToClear(tight, 0.02), looseSeeds = Bootstrap.SeedsToClear(loose, 0.02);
        Interval looseInterval = Bootstrap.Difference(new[] { loose });

        // Then: the spread costs seeds, and an interval that straddles at 3 seeds is never told that 3 would do
        Assert.NotNull(tightSeeds);
        Assert.NotNull(looseSeeds);
        Assert.True(looseSeeds > tightSeeds, $"{looseSeeds} vs {tightSeeds}");
        Assert.True(looseInterval.Lower < 0.02, looseInterval.Points());
        Assert.True(looseSeeds > 3, $"{looseSeeds}");
    }

    [Fact]
    public void The_interval_of_a_difference_widens_with_the_seed_to_seed_spread_and_pairs_the_images()
    {
        // Given: kind B is kind A plus 3 points, exactly, on every image of 3 seeds whose means differ by 10 points
        var rng = new Random(2);
        double[][] a = new[] { 0.6, 0.7, 0.8 }.Select(p => Enumerable.Range(0, 2000).Select(_ => rng.NextDouble() < p ? 0.97 : 0.0).ToArray()).ToArray();
        double[][] b = a.Select(s => s.Select(v => v + 0.03).ToArray()).ToArray();

        Interval paired = Bootstrap.Difference(new[] { new PairedGroup(a, b) });
        Interval mean = Bootstrap.Mean(new[] { b });

        // Then: the paired difference is exact (3 points, no noise), while the mean of one kind carries the seed spread
        Assert.Equal(0.03, paired.Estimate, 9);
        Assert.True(paired.Width < 1e-9, $"paired interval {paired.Points()}");
        Assert.True(mean.Width > 0.05, $"mean interval {mean.Percent()} ignores the seed spread");
    }
}

/// <summary>Hand-made results databases with per-image results, and the verdicts their claims get.</summary>
public class VerdictTests
{
    private const int Images = 1000;

    /// <summary>
    /// Exactly round(<paramref name="rate"/> · images) correct images, at positions shuffled by a generator seeded from (label,
    /// seed, what) with a hash that is the same in every process (.NET's string hash is randomized per process, which once
    /// made these fixtures, and so the verdicts asserted on them, differ from run to run).
    /// </summary>
    private static bool[] Bits(double rate, string label, int seed, string what)
    {
        int correct = (int)Math.Round(rate * Images);
        bool[] bits = Enumerable.Range(0, Images).Select(i => i < correct).ToArray();
        new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{label}|{seed}|{what}")))).Shuffle(bits);
        return bits;
    }

    private sealed record Kind(string Label, double[] Accuracy, double[] Robust);

    /// <summary>A study of the given kinds and seeds at one fraction, with standard-protocol rows of the given attacks.</summary>
    /// <param name="training">The spec's training regimes; with "adversarial", <paramref name="kinds"/> names each arm ("speech+pgd7-8/255").</param>
    private static string Database(int[] seeds, Kind[] kinds, Func<double, AttackResult[]> attackRows, AttackFlag[]? flags = null, string? flagsOn = null,
        string[]? training = null)
    {
        string dir = TestData.TempDir("verdict");
        var spec = new StudySpec
        {
            Name = "fixture", Labels = kinds.Select(k => StudyRun.LabelOf(k.Label)).Distinct().ToArray(), Seeds = seeds, Fractions = Array.Empty<double>(), MainFraction = 1.0,
            Training = training,
        };
        using var store = new StudyStore(StudyRunner.DatabasePath(dir));
        store.SetValue("spec", spec.ToJson());
        var runs = spec.Runs();
        store.AddRuns(runs);
        foreach (StudyRun run in runs)
        {
            Kind kind = kinds.Single(k => k.Label == run.Arm);
            int s = Array.IndexOf(seeds, run.Config.Seed);
            bool[] correct = Bits(kind.Accuracy[s], kind.Label, run.Config.Seed, "test");
            store.RecordTraining(run.Id, new TrainMetrics
            {
                Dataset = "fashion-mnist", Model = "smallcnn", Label = kind.Label, Loss = "x", Seed = run.Config.Seed, Fraction = 1, Epochs = 1, TrainImages = 50000,
                ValImages = 5000, TestImages = Images, ValAccuracy = 0.5, ValLoss = 0.5, TestAccuracy = correct.Count(c => c) / (double)Images, TestLoss = 0.5,
                BestEpoch = 1, TrainSeconds = 1, ImagesPerSecond = 1, Parameters = 1, ConfigHash = run.Id, Device = "cpu", Threads = 2, Decision = "d",
                TestCorrect = ImageBits.Encode(correct),
            }, new[] { new EpochRecord(1, 0.1, 1, 1, 0.5, 1) });
            store.MarkDone(run.Id);
            bool[] robust = Bits(kind.Robust[s], kind.Label, run.Config.Seed, "robust");
            double robustAccuracy = robust.Count(r => r) / (double)Images;
            store.RecordAttacks(run.Id, new AttackReport
            {
                Protocol = "standard", Run = kind.Label, Images = Images, CleanAccuracy = 0.9, ZeroGradientShare = 0, OfficialQuirks = false, BatchSize = 100, Seconds = 1,
                Flags = flagsOn is null || flagsOn == kind.Label ? flags ?? Array.Empty<AttackFlag>() : Array.Empty<AttackFlag>(),
                Results = attackRows(robustAccuracy).Append(new AttackResult
                {
                    Protocol = "standard", Attack = AttackResult.WorstCase, Loss = "all", Targeted = false, Eps = 8 / 255.0, EpsPixels = 8 / 255.0, Steps = 0, Restarts = 0,
                    Accuracy = robustAccuracy, Images = Images, Seconds = 1,
                }).ToArray(),
                Robust = new[] { new RobustImages(8 / 255.0, false, ImageBits.Encode(robust)) },
            });
        }
        return dir;
    }

    private static AttackResult Row(string attack, string loss, int steps, double accuracy, int? targets = null) => new()
    {
        Protocol = "standard", Attack = attack, Loss = loss, Targeted = false, Eps = 8 / 255.0, EpsPixels = 8 / 255.0, Steps = steps, Restarts = 1,
        Accuracy = accuracy, Images = Images, Seconds = 1, Targets = targets,
    };

    /// <summary>APGD-CE and APGD-T over 3 targets, 100 iterations each: the gate's minimum.</summary>
    private static AttackResult[] Strong(double worst) => new[] { Row("apgd", "ce", 100, worst + 0.05), Row("apgd-t", "dlr", 100, worst, targets: 3) };

    private static IReadOnlyList<ClaimVerdict> Verdicts(string dir)
    {
        using var store = StudyStore.OpenExisting(StudyRunner.DatabasePath(dir));
        return Claims.Evaluate(new StudyData(store));
    }

    private static ClaimVerdict Standard(IReadOnlyList<ClaimVerdict> v) => v.Single(c => c.Claim.StartsWith("The robustness survives", StringComparison.Ordinal));

    private static readonly int[] ThreeSeeds = { 7, 77, 777 };

    [Fact]
    public void Clear_separation_with_a_strong_attack_is_supported()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
            new Kind("random", new[] { 0.91, 0.90, 0.90 }, new[] { 0.45, 0.44, 0.46 }),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, Strong));

        Assert.Equal("supported", Standard(v).Verdict);
        Assert.All(Standard(v).Differences, d => Assert.True(d.Difference.Lower > 0.02));
        Assert.Contains("speech +", Standard(v).Measured);
    }

    [Fact]
    public void Later_geometries_and_adversarial_arms_are_judged_against_their_own_baseline()
    {
        // Given: plain and PGD-trained arms. Plainly, speech and hadamard gain and mmc loses; under adversarial training
        // every geometry is below the adversarial categorical arm, which is far above the plain one.
        string at = new LabelRep.Training.AdversarialTraining().Key;
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
            new Kind("hadamard", new[] { 0.90, 0.90, 0.91 }, new[] { 0.30, 0.31, 0.30 }),
            new Kind("mmc", new[] { 0.90, 0.90, 0.91 }, new[] { 0.05, 0.06, 0.05 }),
            new Kind($"categorical+{at}", new[] { 0.80, 0.81, 0.80 }, new[] { 0.50, 0.51, 0.50 }),
            new Kind($"speech+{at}", new[] { 0.80, 0.80, 0.81 }, new[] { 0.44, 0.45, 0.44 }),
            new Kind($"hadamard+{at}", new[] { 0.80, 0.80, 0.81 }, new[] { 0.43, 0.44, 0.43 }),
            new Kind($"mmc+{at}", new[] { 0.80, 0.80, 0.81 }, new[] { 0.42, 0.41, 0.42 }),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, Strong, training: new[] { "plain", "adversarial" }));

        // Then: the paper's claim sees the plain speech run only; the later geometries disagree; on top of adversarial training, none adds
        Assert.Equal("supported", Standard(v).Verdict);
        Assert.Equal(new[] { "speech" }, Standard(v).Differences.Select(d => d.Label));
        var later = v.Single(c => c.Claim.StartsWith("Later label geometries", StringComparison.Ordinal));
        Assert.Equal(new[] { "hadamard", "mmc" }, later.Differences.Select(d => d.Label));
        Assert.StartsWith("inconclusive: the kinds disagree (hadamard as claimed; mmc not)", later.Verdict);
        var onTop = v.Single(c => c.Claim.Contains("on top of adversarial training", StringComparison.Ordinal));
        Assert.Equal(new[] { $"speech+{at}", $"hadamard+{at}", $"mmc+{at}" }, onTop.Differences.Select(d => d.Label));
        Assert.Equal("not supported", onTop.Verdict);
        Assert.All(onTop.Differences, d => Assert.True(d.Difference.Estimate < -0.03, d.Difference.Points())); // against the adversarial baseline, not the plain one
    }

    [Fact]
    public void A_weak_attack_gives_no_robustness_verdict()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, worst => new[] { Row("pgd", "ce", 10, worst), Row("square", "margin", 100, worst + 0.1) }));

        Assert.StartsWith("inconclusive: attack below the minimum", Standard(v).Verdict);
    }

    [Fact]
    public void A_masking_flag_on_the_attack_that_sets_the_worst_case_gives_no_verdict()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };

        var flagged = Verdicts(Database(ThreeSeeds, kinds, Strong, new[] { new AttackFlag("rises-with-eps", "made up", "apgd-t/dlr") }));
        var elsewhere = Verdicts(Database(ThreeSeeds, kinds, Strong, new[] { new AttackFlag("zero-gradients", "made up", "loss:ce") }));

        Assert.StartsWith("inconclusive: masking flags", Standard(flagged).Verdict);
        Assert.Equal("supported", Standard(elsewhere).Verdict); // the CE loss does not set the worst case here
    }

    [Fact]
    public void A_masking_flag_on_a_control_blocks_only_the_claim_that_judges_the_controls()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
            new Kind("constant", new[] { 0.50, 0.52, 0.51 }, new[] { 0.05, 0.04, 0.06 }),
        };
        var unbounded = new[] { new AttackFlag("not-zero-at-unbounded-eps", "made up", null) };

        var onControl = Verdicts(Database(ThreeSeeds, kinds, Strong, unbounded, flagsOn: "constant"));
        var onSpeech = Verdicts(Database(ThreeSeeds, kinds, Strong, unbounded, flagsOn: "speech"));

        Assert.Equal("supported", Standard(onControl).Verdict);
        ClaimVerdict explanation = onControl.Single(c => c.Claim.StartsWith("High-dimensional, high-entropy labels help", StringComparison.Ordinal));
        Assert.Contains("masking flags", explanation.Verdict + explanation.Measured);
        Assert.Contains("constant [not-zero-at-unbounded-eps]", explanation.Verdict + explanation.Measured);
        Assert.StartsWith("inconclusive: masking flags", Standard(onSpeech).Verdict);
    }

    [Fact]
    public void Overlapping_intervals_are_inconclusive_and_say_what_would_settle_them()
    {
        // Speech's robustness gain is 2 points on average, exactly the threshold, with seeds that disagree.
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.12, 0.11 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.08, 0.17, 0.14 }),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, Strong));

        Assert.StartsWith("inconclusive: intervals straddle the threshold", Standard(v).Verdict);
        KindDifference speech = Standard(v).Differences.Single();
        Assert.True(speech.Difference.Lower < 0.02 && speech.Difference.Upper > 0.02, speech.Difference.Points());
    }

    [Fact]
    public void One_seed_is_too_few_for_a_verdict()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90 }, new[] { 0.10 }),
            new Kind("speech", new[] { 0.90 }, new[] { 0.60 }),
        };

        var v = Verdicts(Database(new[] { 7 }, kinds, Strong));

        Assert.StartsWith("inconclusive: too few seeds", Standard(v).Verdict);
    }

    [Fact]
    public void The_report_shows_the_intervals_the_rule_how_to_read_it_and_what_would_change_the_verdict()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.12, 0.11 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.08, 0.17, 0.14 }),
            new Kind("constant", new[] { 0.70, 0.71, 0.69 }, new[] { 0.05, 0.04, 0.06 }),
        };
        string dir = Database(ThreeSeeds, kinds, Strong);

        Assert.Equal(0, Cli.CliRunner.Run("report", "--study", dir).Code);

        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("How to read this", md);
        Assert.Contains("What would change the verdict", md);
        Assert.Matches(@"speech [+-][0-9.]+ \[[+-][0-9.]+, [+-][0-9.]+\] pt", md);
        Assert.Contains("controls: constant", md);
        Assert.True(File.Exists(Path.Combine(dir, "accuracy-fashion-mnist-smallcnn.png")));
    }
}

public class TrendTests
{
    [Fact]
    public void A_clear_slope_over_enough_kinds_has_an_interval_that_excludes_zero_and_a_flat_one_does_not()
    {
        // Given: 8 label kinds × 3 seeds; robust accuracy rises 5 points per bit of entropy (plus seed noise of ±1 point), or not at all
        var rng = new Random(4);
        string[] kinds = Enumerable.Range(0, 8).SelectMany(k => Enumerable.Repeat($"k{k}", 3)).ToArray();
        double[] x = Enumerable.Range(0, 8).SelectMany(k => Enumerable.Repeat(k * 1.5, 3)).ToArray();
        double[] rising = x.Select(v => 0.2 + 0.05 * v + (rng.NextDouble() - 0.5) * 0.02).ToArray();
        double[] flat = x.Select(_ => 0.4 + (rng.NextDouble() - 0.5) * 0.2).ToArray();

        Trend up = Trend.Fit(kinds, x, rising)!, none = Trend.Fit(kinds, x, flat)!;

        Assert.InRange(up.Slope, 0.045, 0.055);
        Assert.True(up.Lower > 0.04 && up.Upper < 0.06, $"[{up.Lower}, {up.Upper}]");
        Assert.True(none.Lower < 0 && none.Upper > 0, $"[{none.Lower}, {none.Upper}]");
    }

    [Fact]
    public void Too_few_kinds_or_values_give_no_interval()
    {
        string[] fourKinds = { "a", "a", "b", "b", "c", "c", "d", "d" };
        double[] x = { 0, 0, 1, 1, 2, 2, 3, 3 }, y = { 0, 0, 1, 1, 2, 2, 3, 3 };
        Assert.Null(Trend.Fit(fourKinds, x, y));
        Assert.Null(Trend.Fit(new[] { "a", "b", "c", "d", "e" }, new double[] { 0, 0, 1, 1, 1 }, new double[] { 0, 1, 2, 3, 4 }));
    }
}
