namespace LabelRep.Training;

/// <summary>
/// Where training is, for a progress display: phase "train" (Step of Steps batches), "validate" and "test" (Step of Steps
/// images; the test is of the best weights after the last epoch), or "epoch" (finished, with its validation accuracy).
/// </summary>
public sealed record TrainProgress(string Phase, int Epoch, int Epochs, int Step, int Steps, double Loss, double ImagesPerSecond, TimeSpan Eta, double ValAccuracy = double.NaN);
