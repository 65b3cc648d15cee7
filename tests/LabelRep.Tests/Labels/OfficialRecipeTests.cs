using LabelRep.Audio;
using LabelRep.Data;
using LabelRep.IO;
using LabelRep.Labels;
using Xunit;

namespace LabelRep.Tests.Labels;

/// <summary>
/// The label recipes of the official notebook (docs/protocols.md §3) against the libraries it used. Expected
/// values from Debian 12's scikit-image 0.19.3 and Pillow 9.4 (apt-get install python3-skimage python3-pil); the
/// script that prints them is in each test's comment.
/// </summary>
public class OfficialRecipeTests
{
    private static double[,] Matrix(int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int t = 0; t < cols; t++)
                m[r, t] = Math.Sin(0.3 * r) * 10 + Math.Cos(0.17 * t) * 20 - 0.05 * r * t;
        return m;
    }

    // r = np.arange(64)[:, None]; t = np.arange(cols)[None, :]; m = np.sin(0.3*r)*10 + np.cos(0.17*t)*20 - 0.05*r*t
    // out = skimage.transform.resize(m, (64, 64)); print(out[0, ::8], out[33, ::8], out[10, :4])
    [Theory]
    [InlineData(100, new[] { 19.9178854, -11.2988827, -8.03344623, 19.755268, -12.7506457, -6.32627311, 19.4092533, -14.1111254 },
        new[] { 14.8742142, -36.9633041, -54.3228677, -47.1591535, -100.290067, -114.490695, -109.380168, -163.525547 },
        new[] { 21.1871727, 19.4772816, 16.3888327, 12.1992958 })]
    [InlineData(40, new[] { 19.9459429, 13.6406238, -1.94077924, -16.202387, -19.4458254, -9.4654471, 6.95175433, 18.6415285 },
        new[] { 15.0612089, 1.12463988, -22.7067632, -45.2183709, -56.7118094, -54.981431, -46.8142296, -43.3744555 },
        new[] { 21.263393, 21.0663168, 20.5381078, 19.6902315 })]
    public void The_time_axis_is_resized_as_skimage_resize_does_shrinking_with_anti_aliasing_and_growing_with_mirrored_edges(
        int frames, double[] row0, double[] row33, double[] row10Start)
    {
        float[] label = MelSpectrogram.ResizeColumns(Matrix(64, frames), 64);

        for (int k = 0; k < 8; k++)
        {
            Assert.Equal(row0[k], label[0 * 64 + 8 * k], 4);
            Assert.Equal(row33[k], label[33 * 64 + 8 * k], 4);
        }
        for (int k = 0; k < 4; k++) Assert.Equal(row10Start[k], label[10 * 64 + k], 4);
    }

    // img = (np.sin(0.05*r) * np.cos(0.031*c) + 1) * 127.5 + 0.001*r*c on 256×256;
    // Image.fromarray(img.astype(np.float32), mode='F').resize((64, 64), Image.BICUBIC): rows 0 and 37 every 8th, column 63 every 8th
    [Fact]
    public void A_float_image_is_shrunk_as_pillow_bicubic_resize_does()
    {
        var image = new double[256, 256];
        for (int r = 0; r < 256; r++)
            for (int c = 0; c < 256; c++)
                image[r, c] = (float)((Math.Sin(0.05 * r) * Math.Cos(0.031 * c) + 1) * 127.5 + 0.001 * r * c);
        double[] row0 = { 137.630646, 132.700958, 123.104004, 117.584106, 121.188232, 130.697311, 137.542542, 135.568542 };
        double[] row37 = { 246.015488, 192.62326, 84.737999, 24.4651299, 70.7440033, 185.981659, 270.110748, 251.247314 };
        double[] col63 = { 127.886414, 135.778824, 144.126404, 152.416077, 160.276108, 168.219131, 176.58696, 184.846985 };

        float[,] small = PillowResize.Bicubic(image, 64, 64);

        for (int k = 0; k < 8; k++)
        {
            Assert.Equal(row0[k], small[0, 8 * k], 3);
            Assert.Equal(row37[k], small[37, 8 * k], 3);
            Assert.Equal(col63[k], small[8 * k, 63], 3);
        }
    }

    /// <summary>Where the official file is: tests/LabelRep.Tests/TestData/official-labels (copied from the official repository, MIT).</summary>
    internal static string OfficialLabels(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "TestData", "official-labels", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"{file} not found in a TestData/official-labels folder above the test binaries");
    }

    [Fact]
    public void Composite_labels_have_the_statistics_of_the_official_cifar10_composite_bank()
    {
        // imagen's random positions cannot be matched bit for bit; its recipe gives the official file's statistics.
        using var official = LabelBankFile.Read(OfficialLabels("cifar10_composite.npy"), "composite", 10);
        var expected = LabelStats.Compute(official); // mean 28.42, std 18.31, pairwise L2 19.36, entropy 12.0
        var stats = new[] { 8, 9, 10 }.Select(seed =>
        {
            using var bank = new CompositeLabels().Build(new LabelContext(CifarReader.Cifar10Info, new LabelOptions { LabelSeed = seed }, LabelKinds.Parameters("composite")));
            return LabelStats.Compute(bank);
        }).ToArray();

        foreach (var s in stats)
        {
            Assert.InRange(s.Min, -0.5, 0.5);
            Assert.InRange(s.Max, 79.5, 80.5);
            Assert.Equal(expected.Entropy, s.Entropy, 1);
            // A seed's 10 classes vary: mean within 7 of the official 28.4, std within 3 of 18.3, pairwise L2 within 3 of 19.4.
            Assert.InRange(s.Mean, expected.Mean - 7, expected.Mean + 7);
            Assert.InRange(s.Std, expected.Std - 3, expected.Std + 3);
            Assert.InRange(s.PairwiseL2, expected.PairwiseL2 - 3, expected.PairwiseL2 + 3);
        }
        // Averaged over seeds, closer still.
        Assert.InRange(stats.Average(s => s.Mean), expected.Mean - 5, expected.Mean + 5);
        Assert.InRange(stats.Average(s => s.PairwiseL2), expected.PairwiseL2 - 2, expected.PairwiseL2 + 2);
    }
}

public class OfficialShapesTests
{
    private static readonly string DataDir = TestData.WriteIdxDataset(train: 200, test: 32);

    [Theory]
    [InlineData("cifar10_bert.npy", "random", new[] { 48, 48 })]   // the official BERT bank: 48×48, decoder's first kernel 3
    [InlineData("cifar10_glove.npy", "lowdim", new[] { 50 })]      // the official GloVe bank: 50-d vectors, a linear head
    [InlineData("cifar10_composite.npy", "composite", new[] { 64, 64 })]
    public void Official_banks_of_every_shape_train_and_their_model_outputs_one_label(string file, string kind, int[] shape)
    {
        var config = TestData.TinyConfig(DataDir, kind) with { Labels = new LabelOptions { LabelsFile = OfficialRecipeTests.OfficialLabels(file) } };
        var run = TestRuns.Train(config, "official-" + kind);

        using var setup = LabelRep.Runs.RunSetup.WithBestWeights(run, "cpu");
        setup.Model.eval();
        using var x = TorchSharp.torch.rand(2, 1, 28, 28);
        Assert.Equal(new long[] { 2 }.Concat(shape.Select(d => (long)d)), setup.Model.call(x).shape);
        var metrics = LabelRep.Runs.TrainMetrics.Read(run.MetricsPath);
        Assert.StartsWith("sha256:", metrics.LabelBank);
        Assert.Contains(file, metrics.LabelBank);
    }

    [Theory]
    [InlineData(new[] { 48, 48 }, 550_905)] // docs/protocols.md §4: ResNet-32 BERT-HighDim
    [InlineData(new[] { 50 }, 469_506)]     // ResNet-32 GloVe (50 outputs)
    public void The_official_bert_and_glove_heads_have_the_official_parameter_counts(int[] shape, long expected)
    {
        using var model = new LabelRep.Models.LabelRepModel(new LabelRep.Models.Normalize(new[] { 0f, 0f, 0f }, new[] { 1f, 1f, 1f }),
            LabelRep.Models.ModelRegistry.Create("resnet32", 3), new LabelRep.Models.HeadShape(shape));
        Assert.Equal(expected, model.ParameterCount());
    }

    [Theory]
    [InlineData(new[] { 10, 40, 40 })]
    [InlineData(new[] { 10, 64, 32 })]
    public void A_bank_of_an_unsupported_shape_is_one_clear_error(int[] shape)
    {
        string path = Path.Combine(TestData.TempDir("shape"), "bank.npy");
        Npy.Write(path, new float[shape.Aggregate(1, (a, b) => a * b)], shape);
        var e = Assert.Throws<LabelRepException>(() => LabelBankFile.Read(path, "random", 10));
        Assert.Contains(path, e.Message);
        Assert.Contains("divisible by 16", e.Message);
    }
}
