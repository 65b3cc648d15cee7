using System.Security.Cryptography;
using System.Text;
using LabelRep.Evaluation;
using LabelRep.Reporting;
using LabelRep.Reporting.Sections;
using LabelRep.Runs;
using LabelRep.Studies;
using Xunit;

namespace LabelRep.Tests.Reporting;

public class SeedImageIntervalTests
{
    [Fact]
    public void Images_alone_give_the_binomial_interval_and_seeds_that_agree_add_nothing()
    {
        // Given: 3 seeds that classify exactly the same 4,000 images correctly (80%): all the noise is the images'
        var rng = new Random(1);
        double[] images = Enumerable.Range(0, 4000).Select(_ => rng.NextDouble() < 0.8 ? 1.0 : 0.0).ToArray();

        Interval interval = SeedImageInterval.Mean(new[] { new[] { images, images, images } });

        // Then: ±1.96·√(p(1−p)/N), as a binomial interval of one run (within the sample variance's N−1)
        double half = 1.96 * Math.Sqrt(images.Average() * (1 - images.Average()) / images.Length);
        Assert.InRange(interval.Upper - interval.Estimate, 0.98 * half, 1.02 * half);
        Assert.InRange(interval.Estimate - interval.Lower, 0.98 * half, 1.02 * half);
    }

    [Fact]
    public void Seeds_alone_give_students_t_interval_on_the_seed_means()
    {
        // Given: per seed, every image has the same value (no image variance), seed means 0.1, 0.2, 0.3
        double[][] values = new[] { 0.1, 0.2, 0.3 }.Select(v => Enumerable.Repeat(v, 500).ToArray()).ToArray();

        Interval interval = SeedImageInterval.Mean(new[] { values });

        // Then: 0.2 ± t(2, 0.975) · 0.1/√3 = 0.2 ± 4.303 · 0.0577
        Assert.Equal(0.2, interval.Estimate, 9);
        Assert.Equal(4.302653 * 0.1 / Math.Sqrt(3), interval.Upper - interval.Estimate, 5);
        Assert.Equal(2, interval.DegreesOfFreedom, 9);
    }

    [Fact]
    public void The_images_shared_variance_widens_a_difference_the_seeds_agree_on()
    {
        // Given: kind B beats A on the same 60 of 1,000 images and loses on the same 40, identically on 3 seeds: the seeds agree exactly
        double[] a = Enumerable.Range(0, 1000).Select(i => i < 60 ? 0.0 : i < 100 ? 1.0 : 0.5).ToArray();
        double[] b = Enumerable.Range(0, 1000).Select(i => i < 60 ? 1.0 : i < 100 ? 0.0 : 0.5).ToArray();

        Interval interval = SeedImageInterval.Difference(new[] { new PairedGroup(new[] { a, a, a }, new[] { b, b, b }) });

        // Then: the interval is the images' (the paired difference's SD over √N), not zero as a seeds-only interval would be
        double mean = 0.02, sd = Math.Sqrt((60 * Math.Pow(1 - mean, 2) + 40 * Math.Pow(-1 - mean, 2) + 900 * mean * mean) / 999);
        Assert.Equal(mean, interval.Estimate, 9);
        Assert.InRange(interval.Upper - interval.Estimate, 0.99 * 1.96 * sd / Math.Sqrt(1000), 1.01 * 1.96 * sd / Math.Sqrt(1000));
    }

    [Fact]
    public void A_difference_that_is_the_same_on_every_image_and_seed_is_exact()
    {
        var rng = new Random(2);
        double[][] a = new[] { 0.6, 0.7, 0.8 }.Select(p => Enumerable.Range(0, 2000).Select(_ => rng.NextDouble() < p ? 0.97 : 0.0).ToArray()).ToArray();
        double[][] b = a.Select(s => s.Select(v => v + 0.03).ToArray()).ToArray();

        Interval paired = SeedImageInterval.Difference(new[] { new PairedGroup(a, b) });
        Interval mean = SeedImageInterval.Mean(new[] { b });

        Assert.Equal(0.03, paired.Estimate, 9);
        Assert.True(paired.Width < 1e-9, $"paired interval {paired.Points()}");
        Assert.True(mean.Width > 0.05, $"mean interval {mean.Percent()} ignores the seed spread");
    }

    [Fact]
    public void Groups_pool_as_the_mean_of_their_means_and_narrow_the_interval()
    {
        double[][] Seeds(params double[] means) => means.Select(v => Enumerable.Repeat(v, 100).ToArray()).ToArray();
        var one = SeedImageInterval.Mean(new[] { Seeds(0.1, 0.2, 0.3) });
        var two = SeedImageInterval.Mean(new[] { Seeds(0.1, 0.2, 0.3), Seeds(0.5, 0.6, 0.7) });

        Assert.Equal(0.4, two.Estimate, 9);
        Assert.Equal(4, two.DegreesOfFreedom, 6); // two groups' equal seed terms: Satterthwaite adds their degrees of freedom
        Assert.True(two.Width < one.Width, $"{two.Width} vs {one.Width}");
    }

    [Fact]
    public void The_plan_to_clear_a_threshold_grows_with_the_spread_and_says_when_seeds_cannot()
    {
        // Given: per seed, kind B is kind A plus a seed-dependent gain (on 2,000 images) whose mean is 4 points, 2 above the threshold
        double[][] Seeds(double[] gains) => gains.Select(g => Enumerable.Range(0, 2000).Select(i => i < (int)(2000 * g) ? 1.0 : 0.0).ToArray()).ToArray();
        double[][] baseline = Seeds(new[] { 0.0, 0.0, 0.0 });
        var tight = new PairedGroup(baseline, Seeds(new[] { 0.035, 0.04, 0.045 }));
        var loose = new PairedGroup(baseline, Seeds(new[] { 0.00, 0.04, 0.08 }));
        // and a gain of 2.2 points that every seed shows on the same images: only the images' own variance is left
        var images = new PairedGroup(baseline, Seeds(new[] { 0.022, 0.022, 0.022 }));

        Plan tightPlan = SeedImageInterval.PlanToClear(new[] { tight }, 0.02, 3), loosePlan = SeedImageInterval.PlanToClear(new[] { loose }, 0.02, 3);
        Plan imagePlan = SeedImageInterval.PlanToClear(new[] { images }, 0.02, 3);
        Plan onThreshold = SeedImageInterval.PlanToClear(new[] { new PairedGroup(baseline, Seeds(new[] { 0.01, 0.02, 0.03 })) }, 0.02, 3);

        Assert.NotNull(tightPlan.Seeds);
        Assert.NotNull(loosePlan.Seeds);
        Assert.True(loosePlan.Seeds > tightPlan.Seeds, $"{loosePlan.Seeds} vs {tightPlan.Seeds}");
        Assert.True(SeedImageInterval.Difference(new[] { loose }).Lower < 0.02);
        Assert.True(loosePlan.Seeds > 3, $"{loosePlan.Seeds}");
        Assert.Null(imagePlan.Seeds);
        Assert.NotNull(imagePlan.Images);
        Assert.True(imagePlan.Images!.Images > 2000, $"{imagePlan.Images.Images}");
        Assert.Null(onThreshold.Seeds);
        Assert.Null(onThreshold.Images);
    }
}

public class CalibrationTests
{
    [Theory]
    [InlineData(0, 3)]
    [InlineData(0, 5)]
    [InlineData(1, 3)]
    public void Intervals_cover_the_truth_95_percent_of_the_time_and_a_claim_on_the_threshold_is_rarely_supported(int design, int seeds)
    {
        // Through the report's own interval and verdict code, 2,000 simulated studies whose true difference is the threshold
        CalibrationResult result = Calibration.Run(Calibration.Designs[design], seeds, 2000);

        Assert.InRange(result.Coverage, 0.935, 0.965);
        Assert.InRange(result.FalseSupported, 0.0, 0.035);
        Assert.Equal(1.0, result.Verdicts);
    }

    [Fact]
    public void Two_seeds_get_no_verdict()
    {
        CalibrationResult result = Calibration.Run(Calibration.Designs[0], 2, 200);

        Assert.Equal(0.0, result.Verdicts);
        Assert.Equal(0.0, result.FalseSupported);
    }

    [Fact]
    public void The_command_prints_one_line_per_setting_in_the_documented_form()
    {
        var run = Cli.CliRunner.Run("selftest", "calibration", "--studies", "100");

        string[] lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Calibration.Designs.Length * Calibration.SeedCounts.Length, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^calibration S=[0-9]+ N=[0-9]+ coverage=[01]\.[0-9]{4} false_supported=[01]\.[0-9]{4}$", l));
        Assert.Contains(lines, l => l.StartsWith("calibration S=10 N=1000 ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_command_refuses_a_study_count_out_of_range()
    {
        var run = Cli.CliRunner.Run("selftest", "calibration", "--studies", "5");

        Assert.Equal(2, run.Code);
        Assert.Contains("--studies must be from 100 to 1,000,000", run.Err);
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
    /// <param name="nested">Shuffle by (seed, what) alone, the same order for every kind: a kind with a higher rate is correct on a superset of another's images (few discordant images).</param>
    private static bool[] Bits(double rate, string label, int seed, string what, bool nested = false)
    {
        int correct = (int)Math.Round(rate * Images);
        bool[] bits = Enumerable.Range(0, Images).Select(i => i < correct).ToArray();
        new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{(nested ? "nested" : label)}|{seed}|{what}")))).Shuffle(bits);
        return bits;
    }

    private sealed record Kind(string Label, double[] Accuracy, double[] Robust, bool Nested = false);

    /// <summary>A study of the given kinds and seeds at one fraction, with standard-protocol rows of the given attacks.</summary>
    /// <param name="training">The spec's training regimes; with "adversarial", <paramref name="kinds"/> names each arm ("speech+pgd7-8/255").</param>
    /// <param name="checks">The checks that ran on every run (default: <see cref="AllChecks"/>, every check the gate needs, passed).</param>
    private static string Database(int[] seeds, Kind[] kinds, Func<double, AttackResult[]> attackRows, AttackFlag[]? flags = null, string? flagsOn = null,
        string[]? training = null, AttackCheck[]? checks = null, int classes = 10)
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
            bool[] correct = Bits(kind.Accuracy[s], kind.Label, run.Config.Seed, "test", kind.Nested);
            store.RecordTraining(run.Id, new TrainMetrics
            {
                Dataset = "fashion-mnist", Model = "smallcnn", Label = kind.Label, Loss = "x", Seed = run.Config.Seed, Fraction = 1, Epochs = 1, TrainImages = 50000,
                ValImages = 5000, TestImages = Images, ValAccuracy = 0.5, ValLoss = 0.5, TestAccuracy = correct.Count(c => c) / (double)Images, TestLoss = 0.5,
                BestEpoch = 1, TrainSeconds = 1, ImagesPerSecond = 1, Parameters = 1, ConfigHash = run.Id, Device = "cpu", Threads = 2, Decision = "d",
                TestCorrect = ImageBits.Encode(correct),
            }, new[] { new EpochRecord(1, 0.1, 1, 1, 0.5, 1) });
            store.MarkDone(run.Id);
            bool[] robust = Bits(kind.Robust[s], kind.Label, run.Config.Seed, "robust", kind.Nested);
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
                Classes = classes,
                Checks = checks ?? AllChecks,
            });
        }
        return dir;
    }

    private static AttackResult Row(string attack, string loss, int steps, double accuracy, int? targets = null, int? queries = null, string? suite = null) => new()
    {
        Protocol = "standard", Attack = suite is null || attack == suite ? attack : $"{suite}:{attack}", Loss = loss, Targeted = false, Eps = 8 / 255.0, EpsPixels = 8 / 255.0, Steps = steps,
        Restarts = 1, Accuracy = accuracy, Images = Images, Seconds = 1, Targets = targets, Queries = queries, Suite = suite,
    };

    /// <summary>Every check the gate needs, run and passed.</summary>
    private static readonly AttackCheck[] AllChecks =
    {
        new(AttackDiagnostics.UnboundedCheck, true, 100, ""), new(AttackDiagnostics.SquareCheck, true, Images, ""),
        new(AttackDiagnostics.ConvergenceCheck, true, 100, ""),
    };

    /// <summary>AutoAttack's standard cascade: APGD-CE, APGD-T over 9 targets, FAB-T, Square with 5,000 queries (the gate's minimum and more).</summary>
    private static AttackResult[] Strong(double worst) => new[]
    {
        Row("apgd-ce", "ce", 100, worst + 0.05, suite: "autoattack"), Row("apgd-t", "dlr", 100, worst, targets: 9, suite: "autoattack"),
        Row("fab-t", "margin", 100, worst, targets: 9, suite: "autoattack"), Row("square", "margin", 5000, worst, queries: 5000, suite: "autoattack"),
        Row("autoattack", AttackResult.Cascade, 0, worst, suite: "autoattack"),
    };

    private static IReadOnlyList<ClaimVerdict> Verdicts(string dir)
    {
        using var store = StudyStore.OpenExisting(StudyRunner.DatabasePath(dir));
        return Claims.Evaluate(new StudyData(store));
    }

    private static ClaimVerdict Standard(IReadOnlyList<ClaimVerdict> v) => v.Single(c => c.Claim.StartsWith("The robustness survives today's attacks (", StringComparison.Ordinal));

    private static ClaimVerdict Explanation(IReadOnlyList<ClaimVerdict> v) => v.Single(c => c.Claim.StartsWith("High-dimensional, high-entropy labels help", StringComparison.Ordinal));

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
        string at = new LabelRep.Runs.AdversarialTraining().Key;
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
        Assert.Equal("not supported: mmc below +2.0 pt; as claimed: hadamard", later.Verdict);
        var onTop = v.Single(c => c.Claim.Contains("on top of adversarial training", StringComparison.Ordinal));
        Assert.Equal(new[] { $"speech+{at}", $"hadamard+{at}", $"mmc+{at}" }, onTop.Differences.Select(d => d.Label));
        Assert.StartsWith("not supported: ", onTop.Verdict);
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

        var v = Verdicts(Database(ThreeSeeds, kinds, worst => new[] { Row("pgd", "ce", 10, worst), Row("square", "margin", 100, worst + 0.1, queries: 100) }));
        // APGD-T over 3 targets, as the quick preset once ran it: strong enough only when 3 are all the other classes.
        AttackResult[] ThreeTargets(double worst) => Strong(worst).Select(r => r.Targets is null ? r : r with { Targets = 3 }).ToArray();
        var three = Verdicts(Database(ThreeSeeds, kinds, ThreeTargets));
        var fourClasses = Verdicts(Database(ThreeSeeds, kinds, ThreeTargets, classes: 4));
        var shortSquare = Verdicts(Database(ThreeSeeds, kinds, worst => Strong(worst).Select(r => r.Queries is null ? r : r with { Queries = 500, Steps = 500 }).ToArray()));

        Assert.StartsWith("no verdict: no APGD-CE of ≥ 100 iterations at L∞ ε = 8/255 on categorical, speech; no APGD-T over ≥ 9 targets", Standard(v).Verdict);
        Assert.Contains("no Square of ≥ 5,000 queries and no transfer attack at L∞ ε = 8/255", Standard(v).Verdict);
        Assert.Equal("no verdict: no APGD-T over ≥ 9 targets of ≥ 100 iterations at L∞ ε = 8/255 on categorical, speech", Standard(three).Verdict);
        Assert.Equal("supported", Standard(fourClasses).Verdict);
        Assert.StartsWith("no verdict: no Square of ≥ 5,000 queries and no transfer attack at L∞ ε = 8/255 on categorical, speech", Standard(shortSquare).Verdict);
    }

    [Theory]
    [InlineData(AttackDiagnostics.UnboundedCheck)]
    [InlineData(AttackDiagnostics.SquareCheck)]
    [InlineData(AttackDiagnostics.ConvergenceCheck)]
    public void A_required_check_that_did_not_run_or_failed_gives_no_verdict(string check)
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };

        var missing = Verdicts(Database(ThreeSeeds, kinds, Strong, checks: AllChecks.Where(c => c.Name != check).ToArray()));
        var failed = Verdicts(Database(ThreeSeeds, kinds, Strong, checks: AllChecks.Select(c => c.Name == check ? c with { Passed = false, Detail = "made up" } : c).ToArray()));

        Assert.Equal($"no verdict: the {check} check did not run on categorical, speech", Standard(missing).Verdict);
        Assert.Equal($"no verdict: the {check} check failed (made up) on categorical, speech", Standard(failed).Verdict);
    }

    [Fact]
    public void Transfer_stands_in_for_square_only_with_its_own_check_and_convergence_needs_100_images()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };
        AttackResult[] WithTransfer(double worst) =>
            Strong(worst).Where(r => r.Queries is null).Append(Row("transfer", "ce", 20, worst + 0.2) with { Source = "categorical" }).ToArray();
        AttackCheck[] transferChecks = AllChecks.Where(c => c.Name != AttackDiagnostics.SquareCheck).ToArray();

        var unchecked_ = Verdicts(Database(ThreeSeeds, kinds, WithTransfer, checks: transferChecks));
        var checked_ = Verdicts(Database(ThreeSeeds, kinds, WithTransfer, checks: transferChecks.Append(new(AttackDiagnostics.TransferCheck, true, Images, "")).ToArray()));
        var fewImages = Verdicts(Database(ThreeSeeds, kinds, Strong,
            checks: AllChecks.Select(c => c.Name == AttackDiagnostics.ConvergenceCheck ? c with { Images = 60 } : c).ToArray()));

        Assert.Equal($"no verdict: the {AttackDiagnostics.TransferCheck} check did not run on categorical, speech", Standard(unchecked_).Verdict);
        Assert.Equal("supported", Standard(checked_).Verdict);
        Assert.Equal($"no verdict: the {AttackDiagnostics.ConvergenceCheck} check ran on 60 images (fewer than 100) on categorical, speech", Standard(fewImages).Verdict);
    }

    [Fact]
    public void A_flag_on_a_cascade_or_the_worst_case_blocks_the_verdict()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };

        var cascade = Verdicts(Database(ThreeSeeds, kinds, Strong, new[] { new AttackFlag("rises-with-eps", "made up", $"autoattack/{AttackResult.Cascade}") }));
        var member = Verdicts(Database(ThreeSeeds, kinds, Strong, new[] { new AttackFlag("stops-falling", "made up", "autoattack:apgd-ce/ce") }));
        var worst = Verdicts(Database(ThreeSeeds, kinds, Strong, new[] { new AttackFlag("stops-falling", "made up", $"{AttackResult.WorstCase}/all") }));

        Assert.Equal("no verdict: masking flag [rises-with-eps] on categorical, speech", Standard(cascade).Verdict);
        Assert.Equal("no verdict: masking flag [stops-falling] on categorical, speech", Standard(member).Verdict);
        Assert.Equal("no verdict: masking flag [stops-falling] on categorical, speech", Standard(worst).Verdict);
    }

    [Fact]
    public void A_masking_flag_on_the_attack_that_sets_the_worst_case_gives_no_verdict()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };

        // A standalone PGD as strong as the cascade sets the worst case too.
        AttackResult[] WithPgd(double worst) => Strong(worst).Append(Row("pgd", "margin", 100, worst)).ToArray();
        var flagged = Verdicts(Database(ThreeSeeds, kinds, WithPgd, new[] { new AttackFlag("rises-with-eps", "made up", "pgd/margin") }));
        var elsewhere = Verdicts(Database(ThreeSeeds, kinds, WithPgd, new[] { new AttackFlag("zero-gradients", "made up", "loss:ce") }));

        Assert.StartsWith("no verdict: masking flag [rises-with-eps]", Standard(flagged).Verdict);
        Assert.Equal("supported", Standard(elsewhere).Verdict); // no attack of the CE loss sets the worst case here
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
        ClaimVerdict explanation = Explanation(onControl);
        Assert.Contains("masking flag [not-zero-at-unbounded-eps] on constant", explanation.Verdict + explanation.Measured);
        Assert.StartsWith("no verdict: masking flag [not-zero-at-unbounded-eps] on speech", Standard(onSpeech).Verdict);
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

        Assert.Equal("inconclusive: speech's interval straddles +2.0 pt", Standard(v).Verdict);
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

        Assert.StartsWith("no verdict: 1 seed; an honest 95% interval needs at least 3", Standard(v).Verdict);
        Assert.True(double.IsNaN(Standard(v).Differences.Single().Difference.Lower)); // no interval is shown for it
    }

    [Fact]
    public void The_explanation_is_refuted_when_nothing_helps()
    {
        // Given: speech gains nothing (clearly below +2 points) and neither do the controls (as the explanation expects)
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.30, 0.31, 0.30 }, Nested: true),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.30, 0.31, 0.30 }, Nested: true),
            new Kind("constant", new[] { 0.70, 0.71, 0.69 }, new[] { 0.20, 0.21, 0.20 }, Nested: true),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, Strong));

        ClaimVerdict explanation = Explanation(v);
        Assert.Equal("not supported: speech below +2.0 pt; as claimed: constant", explanation.Verdict);
        Assert.Equal("speech > +2.0 pt ∧ constant < +2.0 pt", explanation.Rule);
    }

    [Fact]
    public void A_claim_about_every_kind_is_not_supported_when_one_kind_clearly_opposes_it()
    {
        // Given: speech gains 30 points, random loses 5
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.30, 0.31, 0.30 }, Nested: true),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.60, 0.61, 0.60 }, Nested: true),
            new Kind("random", new[] { 0.90, 0.90, 0.91 }, new[] { 0.25, 0.26, 0.25 }, Nested: true),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, Strong));

        Assert.Equal("not supported: random below +2.0 pt; as claimed: speech", Standard(v).Verdict);
        Assert.Equal("speech > +2.0 pt ∧ random > +2.0 pt", Standard(v).Rule);
    }

    [Fact]
    public void A_significant_gain_below_the_margin_says_so()
    {
        // Given: speech is robust on exactly 1 point more images than categorical on every seed, with few discordant images
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.30, 0.31, 0.30 }, Nested: true),
            new Kind("speech", new[] { 0.90, 0.91, 0.90 }, new[] { 0.31, 0.32, 0.31 }, Nested: true),
        };

        var v = Verdicts(Database(ThreeSeeds, kinds, Strong));

        Assert.Equal("not supported: speech significant, below the +2.0 pt margin", Standard(v).Verdict);
        Assert.True(Standard(v).Differences.Single().Difference.Lower > 0);
        // and parity of accuracy, identical on every image, is supported: the interval is exactly 0
        Assert.Equal("supported", v.Single(c => c.Claim.StartsWith("High-dimensional labels match", StringComparison.Ordinal)).Verdict);
    }

    [Fact]
    public void Arms_on_different_seeds_get_no_verdict_and_no_interval()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };
        string dir = Database(ThreeSeeds, kinds, Strong);
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StudyRunner.DatabasePath(dir)};Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "DELETE FROM metrics WHERE run_id IN (SELECT id FROM runs WHERE label = 'speech' AND seed = 777)";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var v = Verdicts(dir);

        Assert.StartsWith("no verdict: speech has seeds 7, 77 and categorical 7, 77, 777 on fashion-mnist smallcnn", Standard(v).Verdict);
        Assert.Empty(Standard(v).Differences);
    }

    [Fact]
    public void Every_row_states_its_scope_and_the_standard_protocol_is_also_judged_at_8_255()
    {
        var kinds = new[]
        {
            new Kind("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.11, 0.09 }),
            new Kind("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.40, 0.42, 0.41 }),
        };

        string dir = Database(ThreeSeeds, kinds, Strong);
        var oneEps = Verdicts(dir);
        // A second ε in the grid (the same per-image results at 4/255)
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StudyRunner.DatabasePath(dir)};Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "INSERT INTO image_results SELECT run_id, source, 4.0 / 255, targeted, images, bits FROM image_results WHERE source = 'standard' AND eps > 0";
            Assert.Equal(6, command.ExecuteNonQuery());
        }
        var v = Verdicts(dir);

        // With one ε the grid's mean is the number at 8/255: no second row says it again
        Assert.DoesNotContain(oneEps, c => c.Claim.StartsWith("The robustness survives today's attacks at", StringComparison.Ordinal));
        Assert.Equal("fashion-mnist · smallcnn · 3 epochs · 100% of the training set · seeds 7, 77, 777 · 1,000 attacked images · mean over the ε grid {8/255} · " +
                     "worst case of apgd-ce (ce) 100 it.; apgd-t (dlr) 100 it., 9 targets; fab-t (margin) 100 it., 9 targets; square (margin) 5,000 queries", Standard(v).Scope);
        ClaimVerdict at = v.Single(c => c.Claim.StartsWith("The robustness survives today's attacks at ε = 8/255", StringComparison.Ordinal));
        Assert.Equal("supported", at.Verdict);
        Assert.Contains("· ε = 8/255 ·", at.Scope);
        Assert.EndsWith("1,000 test images", v.Single(c => c.Claim.StartsWith("High-dimensional labels match", StringComparison.Ordinal)).Scope);
    }

    /// <summary>The report tests' study: speech near categorical, the constant control well below, three seeds each.</summary>
    private static readonly Kind[] ReportFixture =
    {
        new("categorical", new[] { 0.90, 0.91, 0.90 }, new[] { 0.10, 0.12, 0.11 }),
        new("speech", new[] { 0.90, 0.90, 0.91 }, new[] { 0.08, 0.17, 0.14 }),
        new("constant", new[] { 0.70, 0.71, 0.69 }, new[] { 0.05, 0.04, 0.06 }),
    };

    [Fact]
    public void The_reports_markdown_matches_its_approved_snapshot()
    {
        // Given: a fixture study of three kinds and three seeds under the gate's minimum attack
        string dir = Database(ThreeSeeds, ReportFixture, Strong);

        // When: the report is written
        Assert.Equal(0, Cli.CliRunner.Run("report", "--study", dir).Code);

        // Then: report.md is the approved one, times and paths aside (every number comes from integer counts)
        Approved.Verify("report-fixture", "md", File.ReadAllText(Path.Combine(dir, "report.md")));
    }

    [Fact]
    public void The_same_database_gives_the_same_report_byte_for_byte()
    {
        string dir = Database(ThreeSeeds, ReportFixture, Strong);
        string[] files = { "report.md", "report.html", "accuracy-fashion-mnist-smallcnn.png" };

        Assert.Equal(0, Cli.CliRunner.Run("report", "--study", dir).Code);
        var first = files.Select(f => File.ReadAllBytes(Path.Combine(dir, f))).ToArray();
        Assert.Equal(0, Cli.CliRunner.Run("report", "--study", dir).Code);

        for (int i = 0; i < files.Length; i++) Assert.True(first[i].SequenceEqual(File.ReadAllBytes(Path.Combine(dir, files[i]))), files[i]);
    }

    [Fact]
    public void The_report_shows_the_intervals_the_rule_how_to_read_it_and_what_would_change_the_verdict()
    {
        string dir = Database(ThreeSeeds, ReportFixture, Strong);

        Assert.Equal(0, Cli.CliRunner.Run("report", "--study", dir).Code);

        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("How to read this", md);
        Assert.Contains("What would change the verdict", md);
        Assert.Matches(@"speech [+-][0-9.]+ \[[+-][0-9.]+, [+-][0-9.]+\] pt", md);
        Assert.Contains("controls, not judged: constant", md);
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

public class LabelDrawTests
{
    [Fact]
    public void A_kind_drawn_at_random_gets_a_fresh_draw_per_training_seed_and_a_fixed_kind_or_a_bank_file_does_not()
    {
        var spec = new StudySpec { Labels = new[] { "categorical", "speech", "random", "lowdim" }, Seeds = new[] { 7, 77, 777 }, Fractions = Array.Empty<double>() };

        var runs = spec.Runs();
        int[] Draws(string label) => runs.Where(r => r.Config.Label == label).Select(r => r.Config.Labels.LabelSeed).Distinct().ToArray();

        Assert.Equal(new[] { 7, 77, 777 }, Draws("random"));
        Assert.Equal(new[] { 7, 77, 777 }, Draws("lowdim"));
        Assert.Single(Draws("speech"));
        Assert.Single(Draws("categorical"));
        Assert.Equal(new LabelRep.Labels.LabelOptions().LabelSeed, Draws("speech")[0]); // the fixed kinds' runs keep their identity
    }

    [Fact]
    public void The_verdict_says_which_draws_it_is_about()
    {
        var perSeed = new[] { Run("random", 7, "generated by random (label seed 7)"), Run("random", 77, "generated by random (label seed 77)") };
        var one = new[] { Run("random", 7, "generated by random (label seed 8)"), Run("random", 77, "generated by random (label seed 8)") };
        var bank = new[] { Run("speech", 7, "sha256:ab12 (cifar10_speech.npy)"), Run("speech", 77, "sha256:ab12 (cifar10_speech.npy)") };

        Assert.Contains("a fresh label draw per seed", LabelDraws.Describe("random", perSeed));
        Assert.Contains("one label draw for every seed (generated by random (label seed 8)); the verdict is about that draw", LabelDraws.Describe("random", one));
        Assert.Contains("one fixed bank for every seed (cifar10_speech.npy); the verdict is about that bank", LabelDraws.Describe("speech", bank));
        Assert.Equal("", LabelDraws.Describe("speech", new[] { Run("speech", 7, "generated by speech (label seed 8)") }));
    }

    private static RunResult Run(string label, int seed, string bank) => new($"{label}{seed}", "cifar10", "resnet32", label, seed, 1, 1, 1, 0.9, 0.9, 1, 1, 1, bank);
}
