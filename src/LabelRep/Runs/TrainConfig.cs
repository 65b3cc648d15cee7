using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LabelRep.IO;
using LabelRep.Labels;

namespace LabelRep.Runs;

/// <summary>Everything that defines a run. Its hash is the run's identity; it is saved as config.json beside the results.</summary>
public sealed record TrainConfig
{
    public string Dataset { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    public string Model { get; init; } = "smallcnn";
    public string Label { get; init; } = "categorical";
    /// <summary>How the label kind builds its bank (seed, voice, recordings, dimension, or a bank file); inline in config.json.</summary>
    [JsonFlatten] public LabelOptions Labels { get; init; } = new();
    public int Seed { get; init; } = 7;
    public double Fraction { get; init; } = 1.0;
    public int Epochs { get; init; } = 2;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Epoch counts after which the learning rate is multiplied by <see cref="Gamma"/> (paper: 300, 450 of 600).</summary>
    public int[] Milestones { get; init; } = Array.Empty<int>();
    public double Gamma { get; init; } = 0.1;
    public double LabelSmoothing { get; init; }
    public bool Augment { get; init; } = true;
    /// <summary>Validation hold-out size; null = the dataset's default (5,000 for CIFAR and Fashion-MNIST).</summary>
    public int? ValidationCount { get; init; }
    /// <summary>Evaluate only the first N test images (0 = all). For quick checks; reported in the metrics.</summary>
    public int TestLimit { get; init; }
    /// <summary>Adversarial training (PGD examples in place of every batch); null for plain training, and then absent from config.json, so plain runs keep their identity.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdversarialTraining? Adversarial { get; init; }

    /// <summary>The run's label as results show it: the label name, with "+pgd7-8/255" when it is trained adversarially.</summary>
    [JsonIgnore] public string Arm => Adversarial is { } a ? $"{Label}{LabelKinds.ArmSeparator}{a.Key}" : Label;

    /// <summary>Not part of the identity: where and how fast it runs.</summary>
    [JsonIgnore] public string Device { get; init; } = "auto";
    [JsonIgnore] public int Threads { get; init; }
    [JsonIgnore] public int EvalBatchSize { get; init; } = 256;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectNullableAnnotations = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { JsonFlatten.Modifier } },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainConfig FromJson(string json, string source) => IO.JsonFile.Parse<TrainConfig>(json, source, "run configuration", Json);

    /// <summary>Reads and validates a run's config.json.</summary>
    public static TrainConfig Read(string path)
    {
        TrainConfig config = JsonFile.Read<TrainConfig>(path, "run configuration", Json);
        try
        {
            config.Validate();
            Data.DatasetRegistry.Validate(config.Dataset);
            Models.ModelRegistry.Validate(config.Model);
            LabelKinds.Validate(config.Label);
        }
        catch (LabelRepException e)
        {
            throw new LabelRepException($"{path}: {e.Message}");
        }
        return config;
    }

    /// <summary>First 16 hex digits of SHA-256 over the canonical JSON: the run's identity.</summary>
    public string Hash() => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson()))).ToLowerInvariant()[..16];

    /// <summary>The paper's schedule shape (decay after 300 and 450 of 600 epochs) scaled to <paramref name="epochs"/>: after 1/2 and 3/4.</summary>
    public static int[] PaperMilestones(int epochs) =>
        new[] { (int)Math.Ceiling(epochs / 2.0), (int)Math.Ceiling(epochs * 3 / 4.0) }.Where(m => m < epochs).Distinct().ToArray();

    /// <summary>Learning rate for a 0-based epoch under the multi-step schedule.</summary>
    public double LearningRateAt(int epoch) => LearningRate * Math.Pow(Gamma, Milestones.Count(m => epoch >= m));

    /// <summary>Every number in range (NaN and infinities fail every check), so nothing bad reaches training or a saved file.</summary>
    /// <summary>The largest learning rate, weight decay and gamma taken: far beyond any that trains, and inside float32 (libtorch's optimizer takes floats).</summary>
    public const double MaxRate = 1e6;

    public void Validate()
    {
        if (Epochs is < 1 or > 100_000) throw new LabelRepException($"--epochs {Epochs}: must be from 1 to 100,000");
        if (BatchSize is < 2 or > 1 << 20) throw new LabelRepException($"--batch-size {BatchSize}: must be at least 2 (BatchNorm needs two images)");
        if (!(LearningRate > 0 && LearningRate <= MaxRate)) throw new LabelRepException($"--lr {LearningRate}: must be a positive number up to {MaxRate:N0}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new LabelRepException($"--momentum {Momentum}: must be in [0, 1)");
        if (!(WeightDecay >= 0 && WeightDecay <= MaxRate)) throw new LabelRepException($"--weight-decay {WeightDecay}: must be a non-negative number up to {MaxRate:N0}");
        if (!(Gamma > 0 && Gamma <= MaxRate)) throw new LabelRepException($"--gamma {Gamma}: must be a positive number up to {MaxRate:N0}");
        if (!(Fraction > 0 && Fraction <= 1)) throw new LabelRepException($"--fraction {Fraction}: must be in (0, 1], e.g. 0.01 for 1%");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw new LabelRepException($"--label-smoothing {LabelSmoothing}: must be in [0, 1)");
        if (ValidationCount is < 1) throw new LabelRepException($"--val-count {ValidationCount}: must be at least 1");
        if (Milestones.Any(m => m is < 1 or > 100_000)) throw new LabelRepException("--milestones: epoch counts must be from 1 to 100,000, e.g. 300,450");
        Labels.Validate();
        Adversarial?.Validate();
        if (TestLimit < 0) throw new LabelRepException($"--test-limit {TestLimit}: must be 0 (all) or positive");
    }
}
