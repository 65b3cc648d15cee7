using LabelRep.Data;
using LabelRep.Labels;
using LabelRep.Runs;
using LabelRep.Studies;
using LabelRep.Training;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.Labels;

/// <summary>The label geometries from later work: each builds a bank of the right shape with the property it states.</summary>
public class AlternativeKindTests
{
    private static LabelBank Build(string label, int seed = 8, DatasetInfo? info = null) =>
        LabelKinds.Get(label).Build(new LabelContext(info ?? IdxReader.FashionMnistInfo, new LabelOptions { LabelSeed = seed }, LabelKinds.Parameters(label)));

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => ((double)x - y) * ((double)x - y)).Sum());

    [Theory]
    [InlineData("hadamard", 16)]
    [InlineData("hadamard:length=64", 64)]
    public void Hadamard_rows_are_orthogonal_plus_minus_one_codewords(string label, int length)
    {
        using var bank = Build(label);
        Assert.Equal(new[] { length }, bank.LabelShape);
        for (int i = 0; i < 10; i++)
        {
            Assert.All(bank.Row(i), v => Assert.True(v is 1f or -1f));
            Assert.Equal(0, bank.Row(i).Sum()); // the all-ones row is left out, so every codeword is balanced
            for (int j = i + 1; j < 10; j++)
            {
                Assert.Equal(0, Dot(bank.Row(i), bank.Row(j)));
                Assert.Equal(length / 2, bank.Row(i).Zip(bank.Row(j)).Count(p => p.First != p.Second)); // Hamming distance n/2
            }
        }
    }

    [Theory]
    [InlineData("hadamard:length=12")]
    [InlineData("hadamard:length=8")]
    public void Hadamard_lengths_that_are_no_power_of_two_above_the_classes_are_refused(string label)
    {
        var e = Assert.Throws<LabelRepException>(() => Build(label));
        Assert.Contains("power of two", e.Message);
    }

    [Theory]
    [InlineData("mmc", 10.0, 10)]
    [InlineData("mmc:radius=3,dim=32", 3.0, 32)]
    public void Mmc_centres_are_equidistant_on_the_stated_radius(string label, double radius, int dim)
    {
        using var bank = Build(label);
        Assert.Equal(new[] { dim }, bank.LabelShape);
        double expected = radius * Math.Sqrt(2.0 * 10 / 9); // regular simplex: ⟨μ_i, μ_j⟩ = −r²/(C − 1)
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(radius, Math.Sqrt(Dot(bank.Row(i), bank.Row(i))), 4);
            for (int j = i + 1; j < 10; j++)
            {
                Assert.Equal(expected, Distance(bank.Row(i), bank.Row(j)), 4);
                Assert.Equal(-radius * radius / 9, Dot(bank.Row(i), bank.Row(j)), 3);
            }
        }
    }

    [Fact]
    public void Mmc_works_for_a_hundred_classes()
    {
        using var bank = Build("mmc", info: CifarReader.Cifar100Info);
        double expected = 10 * Math.Sqrt(2.0 * 100 / 99);
        for (int i = 0; i < 100; i += 7)
            for (int j = i + 1; j < 100; j += 11) Assert.Equal(expected, Distance(bank.Row(i), bank.Row(j)), 3);
    }

    [Fact]
    public void Mmc_loss_is_half_the_squared_distance_to_the_own_centre()
    {
        using var bank = Build("mmc");
        using var objective = LabelKinds.Get("mmc").CreateObjective(bank, 0, LabelKinds.Parameters("mmc"));
        using var output = torch.zeros(2, 10);
        using var classes = torch.tensor(new long[] { 0, 3 });
        Assert.Equal(0.5 * 100, objective.PerImageLoss(output, classes)[1].item<float>(), 3); // ‖0 − μ‖² = r²
        using var atCentre = bank.Targets.index_select(0, classes);
        Assert.Equal(0, objective.Loss(atCentre, classes).item<float>(), 5);
        Assert.Equal(new long[] { 0, 3 }, objective.Decision.Predict(atCentre).data<long>().ToArray());
    }

    [Fact]
    public void Label_smoothing_is_categorical_with_a_smoothed_target()
    {
        using var bank = Build("label-smoothing:alpha=0.2");
        using var objective = LabelKinds.Get("label-smoothing").CreateObjective(bank, 0, LabelKinds.Parameters("label-smoothing:alpha=0.2"));
        Assert.IsType<CrossEntropyObjective>(objective);
        using var logits = torch.zeros(1, 10);
        using var classes = torch.tensor(new long[] { 4 });
        // Uniform logits: −Σ target·log(1/10) = log 10 whatever the smoothing; a confident logit shows the smoothing.
        Assert.Equal(Math.Log(10), objective.Loss(logits, classes).item<float>(), 4);
        using var confident = torch.zeros(1, 10).index_put_(torch.tensor(20f), torch.tensor(new long[] { 0 }), torch.tensor(new long[] { 4 }));
        double logZ = Math.Log(Math.Exp(20) + 9);
        double expected = 0.8 * (logZ - 20) + 0.2 * logZ; // 1 − α on the true class, α/(C − 1) on each of the 9 others
        Assert.Equal(expected, objective.Loss(confident, classes).item<float>(), 3);
        Assert.Throws<LabelRepException>(() => LabelKinds.Get("label-smoothing").CreateObjective(bank, 0.1, LabelKinds.Parameters("label-smoothing")));
    }

    [Fact]
    public void The_controlled_family_varies_one_property_while_the_others_stay()
    {
        // The beyond preset's sweep. Levels set the entropy (log2 levels bits); rank and the closest pair stay where the name sets them.
        var byLevels = StudySpec.ControlledSweep.Take(3).Select(Stats).ToArray();
        Assert.Equal(new[] { 1.0, 4.0, 12.0 }, byLevels.Select(s => Math.Round(s.Entropy, 2)));
        Assert.All(byLevels, s => Assert.Equal(2, s.Rank));
        Assert.All(byLevels, s => Assert.Equal(4, s.MinPairwiseL2, 3));

        // Rank: set exactly; entropy and the closest pair fixed.
        var byRank = StudySpec.ControlledSweep.Skip(3).Take(3).Select(Stats).ToArray();
        Assert.Equal(new[] { 3, 5, 10 }, byRank.Select(s => s.Rank));
        Assert.All(byRank, s => Assert.Equal(8.0, s.Entropy, 2));
        Assert.All(byRank, s => Assert.Equal(7, s.MinPairwiseL2, 3));

        // The closest pair: set exactly; entropy and rank fixed.
        var byDistance = StudySpec.ControlledSweep.Skip(5).Select(Stats).ToArray();
        Assert.Equal(new[] { 7.0, 4.0, 14.0 }, byDistance.Select(s => Math.Round(s.MinPairwiseL2, 3)));
        Assert.All(byDistance, s => Assert.Equal(8.0, s.Entropy, 2));
        Assert.All(byDistance, s => Assert.Equal(10, s.Rank));
        Assert.All(byDistance, s => Assert.Equal(("64x64", 0.0, 80.0), (s.Shape, Math.Round(s.Min, 3), Math.Round(s.Max, 3))));
    }

    [Theory]
    [InlineData("hadamard")]
    [InlineData("mmc")]
    [InlineData("label-smoothing")]
    [InlineData("controlled:levels=256,rank=5,distance=7")]
    public void Every_new_kind_is_deterministic_and_only_controlled_depends_on_the_label_seed(string label)
    {
        using var a = Build(label, seed: 5);
        using var b = Build(label, seed: 5);
        using var c = Build(label, seed: 6);
        Assert.True(TensorAssert.Same(a.Targets, b.Targets));
        Assert.Equal(label.StartsWith("controlled", StringComparison.Ordinal), !TensorAssert.Same(a.Targets, c.Targets));
    }

    [Fact]
    public void Controlled_labels_are_smooth_images_not_noise()
    {
        // Neighbouring pixels of a row differ far less than random pixels do: the decoder can draw them in a short training.
        using var bank = Build("controlled:levels=4096,rank=10,distance=7");
        float[] label = bank.Row(3);
        double neighbours = Enumerable.Range(0, 4095).Where(e => e % 64 != 63).Average(e => Math.Abs(label[e + 1] - label[e]));
        var rng = new Random(1);
        double random = Enumerable.Range(0, 4000).Average(_ => Math.Abs(label[rng.Next(4096)] - label[rng.Next(4096)]));
        Assert.True(neighbours < random / 10, $"neighbours differ by {neighbours:F3}, random pixels by {random:F3}");
    }

    private static LabelStats Stats(string label)
    {
        using var bank = Build(label);
        return LabelStats.Compute(bank);
    }

    [Theory]
    [InlineData("controlled:rank=1", "rank=1")]
    [InlineData("controlled:levels=2,rank=3", "rank=3")]
    [InlineData("controlled:distance=1000", "distance=1000")]
    [InlineData("controlled:levels=1", "levels=1")]
    [InlineData("controlled:levels=2.5", "levels=2.5")]
    [InlineData("controlled:shape=3", "unknown parameter 'shape'")]
    [InlineData("controlled:levels", "not key=number")]
    [InlineData("controlled:levels=NaN", "not key=number")]
    [InlineData("controlled:levels=4,levels=8", "given twice")]
    [InlineData("speech:levels=4", "takes no parameters")]
    public void A_wrong_parameter_is_one_clear_error(string label, string expected)
    {
        var e = Assert.Throws<LabelRepException>(() => { LabelKinds.Validate(label); Build(label).Dispose(); });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Label_lists_keep_the_commas_of_parameters()
    {
        Assert.Equal(new[] { "speech", "controlled:levels=16,rank=5", "mmc:radius=3", "random" },
            LabelKinds.SplitList("speech, controlled:levels=16,rank=5,mmc:radius=3,random"));
    }

    [Theory]
    [InlineData("hadamard")]
    [InlineData("mmc")]
    public void A_tiny_model_learns_above_chance(string label)
    {
        string data = TestData.WriteIdxDataset(train: 400, test: 100);
        string dir = TestData.TempDir(label);
        using var setup = RunSetup.Create(TestData.TinyConfig(data, label, epochs: 2));
        var metrics = new Trainer(setup, new RunDirectory(dir)).Run(resume: false);
        Assert.True(metrics.TestAccuracy > 0.3, $"{label}: test accuracy {metrics.TestAccuracy} (chance 0.1)");
    }
}
