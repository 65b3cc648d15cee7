namespace LabelRep.Data;

/// <summary>What a dataset is: its class names (the speech labels speak them), shape, normalization and augmentation.</summary>
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
    int ValidationCount)
{
    public int ClassCount => ClassNames.Count;
}
