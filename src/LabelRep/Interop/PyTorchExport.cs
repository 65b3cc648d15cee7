using System.Text.Json;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Runs;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LabelRep.Interop;

/// <summary>
/// model.json: what interop/labelrep_torch.py needs to rebuild a run's model in plain PyTorch and to turn its
/// output into class scores.
/// </summary>
public sealed record ExportedModel
{
    public int FormatVersion { get; init; } = 1;
    public required string Backbone { get; init; }
    /// <summary>"linear" (a vector per image: logits or a label vector) or "decoder" (64×64 label images).</summary>
    public required string Head { get; init; }
    public required int[] OutputShape { get; init; }
    public required int FeatureSize { get; init; }
    public required string LabelKind { get; init; }
    /// <summary>The decision rule's name: "argmax" (the output is the scores) or "nearest-label-mse" (score_c = −mean((output − label_c)²) over labels.npy).</summary>
    public required string Decision { get; init; }
    public required string Dataset { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required float[] Mean { get; init; }
    public required float[] Std { get; init; }
    /// <summary>labels.npy beside it, for the nearest-label decision; null for argmax.</summary>
    public string? Labels { get; init; }
    public double? TestAccuracy { get; init; }
}

/// <summary>
/// Writes a run for PyTorch: state_dict.pt (TorchSharp.PyBridge's torch.save format, the module's own key names),
/// labels.npy and model.json.
/// </summary>
public static class PyTorchExport
{
    public const string StateDictFile = "state_dict.pt";
    public const string LabelsFile = "labels.npy";
    public const string ModelFile = "model.json";

    public static ExportedModel Export(RunDirectory run, string outDir)
    {
        using RunSetup setup = RunSetup.WithBestWeights(run, "cpu");
        OutputFolder.Create(outDir, "export");

        var state = setup.Model.state_dict();
        var pickled = new MemoryStream(); // the pickler closes its stream; the atomic writer must flush its own
        PyTorchPickler.PickleStateDict(pickled, state);
        // torch.save's zip stamps each entry with the time of writing: without it, the same run gives the same bytes.
        byte[] bytes = ZipTimes.Fixed(pickled.ToArray());
        var files = new List<(string, Action<Stream>)> { (Path.Combine(outDir, StateDictFile), AtomicFile.Bytes(bytes)) };
        string? labels = null;
        if (setup.Objective.Decision is NearestLabelDecision)
        {
            labels = LabelsFile;
            files.Add((Path.Combine(outDir, LabelsFile), LabelBankFile.Writer(setup.Objective.Bank)));
        }
        var info = setup.Info;
        var model = new ExportedModel
        {
            Backbone = setup.Config.Model,
            Head = setup.Model.HeadShape.IsImage ? "decoder" : "linear",
            OutputShape = setup.Model.HeadShape.Dims,
            FeatureSize = setup.Model.Backbone.FeatureSize,
            LabelKind = setup.Config.Label,
            Decision = setup.Objective.Decision.Name,
            Dataset = setup.Config.Dataset,
            ClassNames = info.ClassNames,
            Channels = info.Channels,
            Height = info.Height,
            Width = info.Width,
            Mean = info.Mean,
            Std = info.Std,
            Labels = labels,
            TestAccuracy = run.IsComplete ? TrainMetrics.Read(run.MetricsPath).TestAccuracy : null,
        };
        files.Add((Path.Combine(outDir, ModelFile), AtomicFile.Text(JsonSerializer.Serialize(model, TrainConfig.Json))));
        // One set: a failure leaves the folder's earlier export whole, never one run's weights beside another's model.json.
        AtomicFile.WriteSet(files);
        return model;
    }
}
