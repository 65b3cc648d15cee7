using LabelRep.IO;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Runs;

/// <summary>
/// The files of one run: config.json, checkpoint.json (+ the epoch's .safetensors it names), best.safetensors,
/// epochs.csv, metrics.json and tensorboard/. Every file is written atomically.
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path) => Root = System.IO.Path.GetFullPath(path);

    public string Root { get; }
    public string ConfigPath => Combine("config.json");
    public string CheckpointPath => Combine("checkpoint.json");
    public string BestPath => Combine("best.safetensors");
    public string MetricsPath => Combine("metrics.json");
    /// <summary>The label bank the run trained against (regression kinds), so evaluation never regenerates it.</summary>
    public string LabelsPath => Combine("labels.npy");
    public string EpochsPath => Combine("epochs.csv");
    public string TensorBoardPath => Combine("tensorboard");

    public string Combine(string name) => System.IO.Path.Combine(Root, name);

    public bool HasConfig => File.Exists(ConfigPath);
    public bool IsComplete => File.Exists(MetricsPath);

    public TrainConfig ReadConfig()
    {
        if (!HasConfig)
            throw new LabelRepException($"{Root}: no config.json here; give the --out folder of a 'labelrep train' run");
        return TrainConfig.Read(ConfigPath);
    }

    public static void SaveModel(LabelRepModel model, string path) =>
        SafeTensors.Save(path, model.state_dict());

    /// <summary>Copies saved tensors into the model's parameters and buffers; every key must match.</summary>
    public static void LoadModel(LabelRepModel model, string path)
    {
        if (!File.Exists(path)) throw new LabelRepException($"{path}: no weights file; the run did not finish an epoch");
        Dictionary<string, Tensor> saved = SafeTensors.Load(path);
        try
        {
            using var _ = torch.no_grad();
            foreach (var (name, target) in model.state_dict())
            {
                if (!saved.TryGetValue(name, out Tensor? source))
                    throw new LabelRepException($"{path}: no tensor '{name}'; the weights are of another model or head");
                if (!source.shape.SequenceEqual(target.shape))
                    throw new LabelRepException($"{path}: '{name}' has shape [{string.Join(",", source.shape)}], the model expects [{string.Join(",", target.shape)}]");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
    }
}
