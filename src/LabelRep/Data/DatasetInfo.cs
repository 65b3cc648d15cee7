namespace LabelRep.Data;

/// <summary>What a dataset is: its class names (and the words the speech labels speak), shape, normalization and augmentation.</summary>
public sealed record DatasetInfo(
    string Name,
    IReadOnlyList<string> ClassNames,
    int Channels,
    int Height,
    int Width,
    float[] Mean,
    float[] Std,
    bool HorizontalFlip,
    int CropPadding,
    int ValidationCount,
    IReadOnlyList<string>? SpokenNames = null)
{
    public int ClassCount => ClassNames.Count;

    /// <summary>What the speech labels say for each class: the official recordings' words where they exist ("Car" for CIFAR-10's automobile), else the class names.</summary>
    public IReadOnlyList<string> Spoken => SpokenNames ?? ClassNames;
}
