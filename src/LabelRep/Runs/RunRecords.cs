using System.Text.Json;

namespace LabelRep.Runs;

/// <summary>One finished epoch.</summary>
public sealed record EpochRecord(int Epoch, double LearningRate, double TrainLoss, double ValLoss, double ValAccuracy, double Seconds);

/// <summary>What metrics.json holds.</summary>
public sealed record TrainMetrics
{
    public required string Dataset { get; init; }
    public required string Model { get; init; }
    public required string Label { get; init; }
    public required string Loss { get; init; }
    public required int Seed { get; init; }
    public required double Fraction { get; init; }
    public required int Epochs { get; init; }
    public required int TrainImages { get; init; }
    public required int ValImages { get; init; }
    public required int TestImages { get; init; }
    public required double ValAccuracy { get; init; }
    public required double ValLoss { get; init; }
    public required double TestAccuracy { get; init; }
    public required double TestLoss { get; init; }
    public required int BestEpoch { get; init; }
    public required double TrainSeconds { get; init; }
    public required double ImagesPerSecond { get; init; }
    public required long Parameters { get; init; }
    public required string ConfigHash { get; init; }
    public required string Device { get; init; }
    public required int Threads { get; init; }
    /// <summary>The decision rule's name (<see cref="Labels.Decision.Name"/>): "argmax" or "nearest-label-mse".</summary>
    public required string Decision { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, TrainConfig.Json);

    public static TrainMetrics Read(string path) =>
        JsonSerializer.Deserialize<TrainMetrics>(File.ReadAllText(path), TrainConfig.Json)
        ?? throw new LabelRepException($"{path}: empty metrics file");
}

/// <summary>The state a checkpoint restores besides the tensors: where training stands.</summary>
public sealed record CheckpointState
{
    public required string ConfigHash { get; init; }
    public required int EpochsCompleted { get; init; }
    public required int BestEpoch { get; init; }
    public required double BestValAccuracy { get; init; }
    public required double BestValLoss { get; init; }
    public required double TrainSeconds { get; init; }
    public required long ImagesTrained { get; init; }
    public required string Weights { get; init; }
    public required string Optimizer { get; init; }
    public required List<EpochRecord> History { get; init; }
}
