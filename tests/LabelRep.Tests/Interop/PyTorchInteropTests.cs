using System.Diagnostics;
using LabelRep.Interop;
using LabelRep.IO;
using LabelRep.Runs;
using LabelRep.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Interop;

/// <summary>A fact that runs only where Debian's python3-torch is importable by /usr/bin/python3 (.ci/run installs it).</summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            return PyTorchInteropTests.Python("-c \"import torch\"", TimeSpan.FromMinutes(2)).Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public PythonTorchFactAttribute()
    {
        if (!Available.Value) Skip = "python3-torch is not installed: apt-get install -y python3-torch (scripts/setup.sh --test does it)";
    }
}

public class PyTorchInteropTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public PyTorchInteropTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private static readonly string DataDir = TestData.WriteIdxDataset(train: 200, test: 40);

    internal static (int Code, string Output) Python(string arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("/usr/bin/python3", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string InteropFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "interop", "labelrep_torch.py");
            if (File.Exists(candidate)) return Path.GetDirectoryName(candidate)!;
        }
        throw new InvalidOperationException("interop/labelrep_torch.py not found above the test binaries");
    }

    /// <summary>LabelRep's class scores for the first test images of a run.</summary>
    private static (float[] Scores, int Classes, float[] Images, int[] Shape) Scores(RunDirectory run, int count)
    {
        using RunSetup setup = RunSetup.WithBestWeights(run, "cpu");
        setup.Model.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (x, _) = setup.Data.Test.Batch(torch.arange(count, dtype: ScalarType.Int64));
        Tensor scores = setup.Classifier.Scores(x);
        return (scores.data<float>().ToArray(), (int)scores.shape[1], x.contiguous().data<float>().ToArray(), x.shape.Select(d => (int)d).ToArray());
    }

    [PythonTorchFact]
    public void Exported_models_give_the_same_class_scores_in_PyTorch()
    {
        var runs = new Dictionary<string, RunDirectory>
        {
            ["smallcnn-categorical"] = TestRuns.Train(TestData.TinyConfig(DataDir, epochs: 1), "x-cat"),
            ["smallcnn-lowdim"] = TestRuns.Train(TestData.TinyConfig(DataDir, "lowdim", epochs: 1), "x-lowdim"),
            ["smallcnn-random"] = TestRuns.Train(TestData.TinyConfig(DataDir, "random", epochs: 1), "x-random"),
            ["resnet20-composite"] = TestRuns.Train(TestData.TinyConfig(DataDir, "composite", epochs: 1) with { Model = "resnet20" }, "x-resnet"),
            ["vgg19-categorical"] = TestRuns.Train(TestData.TinyConfig(DataDir, epochs: 1) with { Model = "vgg19", TestLimit = 8, LearningRate = 0.01 }, "x-vgg"),
        };
        string work = TestData.TempDir("interop");
        var expected = new Dictionary<string, (float[] Scores, int Classes)>();
        foreach (var (name, run) in runs)
        {
            PyTorchExport.Export(run, Path.Combine(work, name));
            var (scores, classes, images, shape) = Scores(run, 8);
            expected[name] = (scores, classes);
            Npy.Write(Path.Combine(work, name, "images.npy"), images, shape);
        }
        string script = Path.Combine(work, "score.py");
        File.WriteAllText(script, $$"""
            import sys, os, numpy as np, torch
            sys.path.insert(0, {{Quote(InteropFolder())}})
            import labelrep_torch
            for name in sys.argv[1:]:
                d = os.path.join({{Quote(work)}}, name)
                model = labelrep_torch.load(d)
                with torch.no_grad():
                    scores = model(torch.from_numpy(np.load(os.path.join(d, "images.npy"))))
                np.save(os.path.join(d, "scores.npy"), scores.numpy().astype(np.float32))
            """.Replace("\n            ", "\n"));

        var (code, output) = Python($"{script} {string.Join(" ", runs.Keys)}", TimeSpan.FromMinutes(5));

        Assert.True(code == 0, output);
        foreach (var (name, (scores, classes)) in expected)
        {
            var (theirs, shape) = Npy.Read(Path.Combine(work, name, "scores.npy"));
            Assert.Equal(new[] { 8, classes }, shape);
            // 1e-4 absolute, relative above 1: float32 cannot hold 1e-4 at the −MSE of dB-scale labels (one ulp at 2048 is 2.4e-4).
            double maxDiff = scores.Zip(theirs, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
            _output.WriteLine($"{name}: largest score difference {scores.Zip(theirs, (a, b) => Math.Abs(a - b)).Max():G3} absolute, {maxDiff:G3} relative above 1; largest |score| {scores.Max(Math.Abs):G4}");
            Assert.True(maxDiff < 1e-4, $"{name}: scores differ by up to {maxDiff} (relative above 1)");
            for (int i = 0; i < 8; i++)
                Assert.Equal(ArgMax(scores, i, classes), ArgMax(theirs, i, classes));
        }
    }

    [Theory]
    [InlineData("categorical")]
    [InlineData("random")]
    public void Export_then_import_gives_the_same_test_accuracy(string label)
    {
        RunDirectory run = TestRuns.Train(TestData.TinyConfig(DataDir, label, epochs: 1), "rt-" + label);
        string exported = TestData.TempDir("rt-export");
        PyTorchExport.Export(run, exported);
        var imported = new RunDirectory(Path.Combine(TestData.TempDir("rt-import"), "run"));

        string? labels = label == "categorical" ? null : Path.Combine(exported, PyTorchExport.LabelsFile);
        ImportSummary summary = PyTorchImport.Import(Path.Combine(exported, PyTorchExport.StateDictFile),
            TestData.TinyConfig(DataDir, label), labels, imported);

        double original = RunEvaluation.Test(run, "cpu").Accuracy;
        Assert.Equal("by name", summary.Matching);
        Assert.Equal(original, summary.TestAccuracy);
        Assert.Equal(original, RunEvaluation.Test(imported, "cpu").Accuracy);
    }

    [Fact]
    public void A_checkpoint_of_the_official_code_with_module_prefixes_is_imported()
    {
        // The official architecture.py layout: features = Sequential(conv1, bn1, relu, layer1, layer2, layer3, avgpool),
        // fc and deconvs for the decoder, all under nn.DataParallel's "module.".
        RunDirectory run = TestRuns.Train(TestData.TinyConfig(DataDir, "random", epochs: 1) with { Model = "resnet20" }, "official");
        string file = Path.Combine(TestData.TempDir("official"), "checkpoint.pth");
        using (RunSetup setup = RunSetup.WithBestWeights(run, "cpu"))
        {
            var official = new Dictionary<string, Tensor>();
            foreach (var (name, tensor) in setup.Model.state_dict())
            {
                if (name.StartsWith("normalize.")) continue;
                string key = name
                    .Replace("features.conv1.", "features.0.").Replace("features.bn1.", "features.1.")
                    .Replace("features.layer1.", "features.3.").Replace("features.layer2.", "features.4.").Replace("features.layer3.", "features.5.")
                    .Replace("head.fc.", "fc.").Replace("head.deconv.", "deconvs.");
                official["module." + key] = tensor;
            }
            Assert.Contains("module.features.3.0.conv1.weight", official.Keys);
            using var stream = File.Create(file);
            PyTorchPickler.PickleStateDict(stream, official);
        }
        var imported = new RunDirectory(Path.Combine(TestData.TempDir("official-run"), "run"));

        ImportSummary summary = PyTorchImport.Import(file, TestData.TinyConfig(DataDir, "random") with { Model = "resnet20" }, run.LabelsPath, imported);

        Assert.Equal("official code's names", summary.Matching);
        Assert.True(summary.StrippedPrefix > 0);
        Assert.Equal(RunEvaluation.Test(run, "cpu").Accuracy, summary.TestAccuracy);
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_a_clear_error()
    {
        RunDirectory run = TestRuns.Train(TestData.TinyConfig(DataDir, epochs: 1), "wrong-arch");
        string exported = TestData.TempDir("wrong-export");
        PyTorchExport.Export(run, exported);

        var e = Assert.Throws<LabelRepException>(() => PyTorchImport.Import(Path.Combine(exported, PyTorchExport.StateDictFile),
            TestData.TinyConfig(DataDir) with { Model = "resnet20" }, null, new RunDirectory(Path.Combine(TestData.TempDir("wrong"), "run"))));
        Assert.Contains("same backbone", e.Message);
    }

    private static int ArgMax(float[] scores, int row, int classes)
    {
        int best = 0;
        for (int c = 1; c < classes; c++)
            if (scores[row * classes + c] > scores[row * classes + best]) best = c;
        return best;
    }

    private static string Quote(string path) => "r'" + path.Replace("'", "\\'") + "'";
}
