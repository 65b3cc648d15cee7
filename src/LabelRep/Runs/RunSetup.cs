using LabelRep.Data;
using LabelRep.Labels;
using LabelRep.Models;
using LabelRep.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Runs;

/// <summary>
/// Everything a configuration turns into before the first step: the data and its split, the label kind's objective
/// and the model (together, the classifier), on the chosen device. Training, evaluation, attacks and export start here.
/// </summary>
public sealed class RunSetup : IDisposable
{
    private readonly bool _ownsData;

    private readonly Lazy<DataSplit> _split;

    private RunSetup(TrainConfig config, DatasetSplits data, Classifier classifier, Device device, bool ownsData)
    {
        _ownsData = ownsData;
        Config = config;
        Data = data;
        // Made on first use, so that evaluating or attacking a finished run never reads the training images.
        _split = new Lazy<DataSplit>(() => DataSplit.Create(data.Train.Count, config.ValidationCount ?? data.Info.ValidationCount, config.Fraction, config.Seed));
        Classifier = classifier;
        Device = device;
    }

    public TrainConfig Config { get; }
    public DatasetSplits Data { get; }
    /// <summary>Training and validation indices into the training file (which is read when this is first used).</summary>
    public DataSplit Split => _split.Value;
    public Classifier Classifier { get; }
    public Objective Objective => Classifier.Objective;
    public LabelRepModel Model => Classifier.Model;
    public Device Device { get; }
    public DatasetInfo Info => Data.Info;

    /// <summary>Test-set indices, honouring <see cref="TrainConfig.TestLimit"/>.</summary>
    public int[] TestIndices => Enumerable.Range(0, Config.TestLimit > 0 ? Math.Min(Config.TestLimit, Data.Test.Count) : Data.Test.Count).ToArray();

    /// <summary>The setup of a run already on disk, using the label bank it trained with (labels.npy) when it has one.</summary>
    public static RunSetup ForRun(RunDirectory dir, string device, DatasetSplits? preloaded = null)
    {
        TrainConfig config = dir.ReadConfig() with { Device = device };
        return Create(config, preloaded, bankFile: File.Exists(dir.LabelsPath) ? dir.LabelsPath : null);
    }

    /// <summary>The setup of a finished run with its best-by-validation weights loaded: what evaluate, attack, export and studies start from.</summary>
    public static RunSetup WithBestWeights(RunDirectory dir, string device, DatasetSplits? preloaded = null)
    {
        if (dir.HasConfig && !File.Exists(dir.BestPath)) // without config.json, ForRun says that this is no run
            throw new LabelRepException($"{dir.Root}: no best.safetensors; train the run to the end first (labelrep train … --out {dir.Root})");
        RunSetup setup = ForRun(dir, device, preloaded);
        try
        {
            RunDirectory.LoadModel(setup.Model, dir.BestPath);
            return setup;
        }
        catch
        {
            setup.Dispose();
            throw;
        }
    }

    /// <summary>Builds the run's setup; <paramref name="preloaded"/> data stays the caller's (it is not disposed with the setup).</summary>
    public static RunSetup Create(TrainConfig config, DatasetSplits? preloaded = null, string? bankFile = null)
    {
        config.Validate();
        LabelKinds.Validate(config.Label);
        ModelRegistry.Validate(config.Model);
        Device device = DeviceSelector.Resolve(config.Device);
        TorchRuntime.SetThreads(config.Threads);
        DatasetSplits data = preloaded ?? DatasetRegistry.Open(config.Dataset, config.DataDir).Load();
        DatasetInfo info = data.Info;
        Objective objective = CreateObjective(bankFile != null ? config with { Labels = config.Labels with { LabelsFile = bankFile } } : config, info);
        torch.manual_seed(config.Seed);
        Backbone backbone = ModelRegistry.Create(config.Model, info.Channels);
        var model = new LabelRepModel(new Normalize(info.Mean, info.Std), backbone, new HeadShape(objective.OutputShape));
        model.to(device);
        objective.To(device);
        return new RunSetup(config, data, new Classifier(model, objective, $"{config.Arm}:{config.Model}"), device, ownsData: preloaded is null);
    }

    /// <summary>The objective of the run's label kind: its bank (generated, or read from the labels file) with the kind's loss and decision.</summary>
    public static Objective CreateObjective(TrainConfig config, DatasetInfo info) =>
        LabelKinds.Get(config.Label).CreateObjective(config.Labels.BankFor(config.Label, info), config.LabelSmoothing, LabelKinds.Parameters(config.Label));

    public void Dispose()
    {
        Classifier.Dispose();
        Model.Dispose();
        Objective.Dispose();
        if (_ownsData) Data.Dispose();
    }
}
