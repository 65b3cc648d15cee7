using System.IO.Compression;
using LabelRep.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Tests;

/// <summary>Small datasets the tests write themselves: learnable synthetic images in the real file layouts.</summary>
internal static class TestData
{
    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "labelrep-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A 28×28 image of class c: a bright bar whose position depends on the class, plus seeded noise.</summary>
    public static byte[] SyntheticImage(int cls, int classes, Random rng, int size = 28, int channels = 1)
    {
        var img = new byte[channels * size * size];
        int band = size / classes + 1;
        for (int ch = 0; ch < channels; ch++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    bool on = (y / band) == cls || (x / band) == (cls * 3) % classes;
                    int value = (on ? 200 : 30) + rng.Next(-25, 26);
                    img[ch * size * size + y * size + x] = (byte)Math.Clamp(value, 0, 255);
                }
            }
        }
        return img;
    }

    /// <summary>Writes the four Fashion-MNIST-style IDX files (gzipped when <paramref name="gzip"/>).</summary>
    public static string WriteIdxDataset(int train, int test, bool gzip = true, int seed = 1)
    {
        string dir = TempDir("idx");
        var rng = new Random(seed);
        WriteIdxPair(dir, "train", train, rng, gzip);
        WriteIdxPair(dir, "t10k", test, rng, gzip);
        return dir;
    }

    private static void WriteIdxPair(string dir, string prefix, int n, Random rng, bool gzip)
    {
        var labels = new byte[n];
        var pixels = new List<byte>();
        for (int i = 0; i < n; i++)
        {
            labels[i] = (byte)(i % 10);
            pixels.AddRange(SyntheticImage(labels[i], 10, rng));
        }
        WriteFile(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), IdxBytes(pixels.ToArray(), n, 28, 28), gzip);
        WriteFile(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), IdxBytes(labels, n), gzip);
    }

    public static byte[] IdxBytes(byte[] data, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, 8, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    public static void WriteFile(string path, byte[] bytes, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path + ".gz");
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    /// <summary>
    /// The first <paramref name="train"/> training and <paramref name="test"/> test images of the real Fashion-MNIST
    /// (Debian's dataset-fashion-mnist, which the test command installs), as a small IDX dataset: for properties that
    /// need natural images, such as an undefended model falling to a small ε.
    /// </summary>
    public static string WriteFashionSubset(int train, int test)
    {
        string source = LabelRep.Data.IdxReader.FashionMnistDefaultDir;
        string dir = TempDir("fashion");
        foreach (var (prefix, n) in new[] { ("train", train), ("t10k", test) })
        {
            var (pixels, dims) = LabelRep.Data.IdxReader.ReadIdx(Path.Combine(source, $"{prefix}-images-idx3-ubyte.gz"), 3);
            var (labels, _) = LabelRep.Data.IdxReader.ReadIdx(Path.Combine(source, $"{prefix}-labels-idx1-ubyte.gz"), 1);
            WriteFile(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), IdxBytes(pixels[..(n * dims[1] * dims[2])], n, dims[1], dims[2]), gzip: false);
            WriteFile(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), IdxBytes(labels[..n], n), gzip: false);
        }
        return dir;
    }

    /// <summary>A tiny training configuration on a dataset written by <see cref="WriteIdxDataset"/>.</summary>
    public static LabelRep.Runs.TrainConfig TinyConfig(string dataDir, string label = "categorical", int epochs = 1) => new()
    {
        Dataset = "fashion-mnist", DataDir = dataDir, Model = "smallcnn", Label = label, Epochs = epochs,
        BatchSize = 32, ValidationCount = 64, Seed = 3, Device = "cpu", Threads = 2, EvalBatchSize = 64,
    };
}

internal static class TestRuns
{
    /// <summary>Trains <paramref name="config"/> into a new temporary run folder.</summary>
    public static LabelRep.Runs.RunDirectory Train(LabelRep.Runs.TrainConfig config, string name)
    {
        var dir = new LabelRep.Runs.RunDirectory(TestData.TempDir(name));
        using var setup = LabelRep.Runs.RunSetup.Create(config);
        new LabelRep.Training.Trainer(setup, dir).Run(resume: false);
        return dir;
    }
}

internal static class TensorAssert
{
    public static bool Same(torch.Tensor a, torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
