namespace LabelRep.Training;

/// <summary>Where training is, for a progress display: phase "train", "validate", or "epoch" (finished, with its validation accuracy).</summary>
public sealed record TrainProgress(string Phase, int Epoch, int Epochs, int Step, int Steps, double Loss, double ImagesPerSecond, TimeSpan Eta, double ValAccuracy = double.NaN);
