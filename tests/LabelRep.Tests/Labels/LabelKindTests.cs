using LabelRep.Audio;
using LabelRep.Data;
using LabelRep.Labels;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.Labels;

public class LabelKindTests
{
    private static LabelBank Build(string label, int seed = 8) =>
        LabelKinds.Get(label).Build(new LabelContext(IdxReader.FashionMnistInfo, new LabelOptions { LabelSeed = seed }, LabelKinds.Parameters(label)));

    /// <summary>The paper's regression kinds (the later geometries have their own tests).</summary>
    public static IEnumerable<object[]> Regression => LabelKinds.Names
        .Where(n => LabelKinds.RoleOf(n) is LabelRole.HighDimensional or LabelRole.Control).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Regression))]
    public void Every_kind_has_its_shape_range_and_distinct_classes(string kind)
    {
        using var bank = Build(kind);

        Assert.Equal(10, bank.ClassCount);
        Assert.Equal(kind == "lowdim" ? new[] { 10 } : new[] { 64, 64 }, bank.LabelShape);
        float min = bank.Targets.min().item<float>(), max = bank.Targets.max().item<float>();
        if (kind.Contains("speech")) { Assert.Equal(-80f, min, 3); Assert.InRange(max, -1f, 0f); }
        // Composite labels are resized with Pillow's bicubic filter (as imagen does), which may overshoot 80 a little.
        else { Assert.InRange(min, kind == "composite" ? -1f : 0f, 2f); Assert.InRange(max, 78f, kind == "composite" ? 81f : 80f); }
        for (int i = 0; i < 10; i++)
            for (int j = i + 1; j < 10; j++)
                Assert.False(bank.Row(i).SequenceEqual(bank.Row(j)), $"{kind}: classes {i} and {j} have the same label");
    }

    [Theory]
    [MemberData(nameof(Regression))]
    public void Every_kind_is_deterministic_for_a_seed(string kind)
    {
        using var a = Build(kind, 5);
        using var b = Build(kind, 5);
        Assert.True(TensorAssert.Same(a.Targets, b.Targets));
    }

    [Theory]
    [InlineData("composite")]
    [InlineData("random")]
    [InlineData("lowdim")]
    [InlineData("shuffled-speech")]
    public void Seeded_kinds_change_with_the_label_seed(string kind)
    {
        using var a = Build(kind, 5);
        using var b = Build(kind, 6);
        Assert.False(TensorAssert.Same(a.Targets, b.Targets));
    }

    [Fact]
    public void Shuffled_speech_is_a_column_permutation_of_speech_never_the_identity()
    {
        using var speech = Build("speech");
        using var shuffled = Build("shuffled-speech");
        int[][] perms = ShuffledSpeechLabels.Permutations(10, 8);
        for (int c = 0; c < 10; c++)
        {
            Assert.NotEqual(Enumerable.Range(0, 64), perms[c]);
            using var expected = speech.Targets[c].index_select(1, torch.tensor(perms[c].Select(i => (long)i).ToArray()));
            Assert.True(TensorAssert.Same(expected, shuffled.Targets[c]));
            Assert.Equal(speech.Row(c).Order(), shuffled.Row(c).Order());
        }
    }

    [Fact]
    public void Constant_labels_are_evenly_spaced_from_0_to_80()
    {
        using var bank = Build("constant");
        for (int c = 0; c < 10; c++) Assert.All(bank.Row(c), v => Assert.Equal(c * 80f / 9, v, 4));
    }

    [Fact]
    public void Random_labels_look_uniform_on_0_to_80()
    {
        using var bank = Build("random");
        var stats = LabelStats.Compute(bank);
        Assert.Equal(40, stats.Mean, 0);
        Assert.Equal(80 / Math.Sqrt(12), stats.Std, 0);
        Assert.Equal(12.0, stats.Entropy, 2);
    }

    [Fact]
    public void Stats_of_one_hot_labels_match_the_paper_table()
    {
        using var bank = Build("categorical");
        var stats = LabelStats.Compute(bank);
        Assert.Equal(0.469, stats.Entropy, 3);
        Assert.Equal(Math.Sqrt(2), stats.PairwiseL2, 6);
    }

    [Fact]
    public void Unknown_kinds_list_the_valid_ones()
    {
        var e = Assert.Throws<LabelRepException>(() => LabelKinds.Get("glove"));
        foreach (string n in new[] { "categorical", "speech", "shuffled-speech", "composite", "constant", "random", "lowdim" })
            Assert.Contains(n, e.Message);
    }

    [Fact]
    public void Speech_from_a_recording_folder_uses_the_users_files()
    {
        string dir = TestData.TempDir("audio");
        var names = IdxReader.FashionMnistInfo.ClassNames;
        for (int c = 0; c < 10; c++)
        {
            var tone = Enumerable.Range(0, 22050 / 2).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * (200 + 100 * c) * i / 22050.0))).ToArray();
            WavFile.Write16(Path.Combine(dir, $"{c}.wav"), tone, 22050);
        }
        var context = new LabelContext(IdxReader.FashionMnistInfo, new LabelOptions { AudioDir = dir }, LabelKinds.Parameters("speech"));
        using var bank = LabelKinds.Get("speech").Build(context);
        Assert.Equal(10, bank.ClassCount);
        Assert.False(bank.Row(0).SequenceEqual(bank.Row(9)));
    }

    [Fact]
    public void A_missing_espeak_is_a_clear_error()
    {
        string saved = Espeak.Executable;
        Espeak.Executable = "/nonexistent/espeak-ng";
        try
        {
            var e = Assert.Throws<LabelRepException>(() => Build("speech"));
            Assert.Contains("apt-get install -y espeak-ng", e.Message);
        }
        finally
        {
            Espeak.Executable = saved;
        }
    }

    [Fact]
    public void An_unreadable_recording_is_a_clear_error()
    {
        string dir = TestData.TempDir("badaudio");
        for (int c = 0; c < 10; c++) File.WriteAllText(Path.Combine(dir, $"{c}.wav"), "not audio");
        var context = new LabelContext(IdxReader.FashionMnistInfo, new LabelOptions { AudioDir = dir }, LabelKinds.Parameters("speech"));
        var e = Assert.Throws<LabelRepException>(() => LabelKinds.Get("speech").Build(context));
        Assert.Contains("not a RIFF WAVE file", e.Message);
    }
}
