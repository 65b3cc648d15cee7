using LabelRep.Data;

namespace LabelRep.Labels;

/// <summary>What a label kind may use to build its bank: the dataset's class names and the label options.</summary>
public sealed record LabelContext(DatasetInfo Dataset, LabelOptions Options);

/// <summary>Options of the label kinds; the defaults follow the paper.</summary>
public sealed record LabelOptions
{
    /// <summary>Seed of the randomly generated kinds (composite, random, lowdim, shuffle permutations); fixed across training seeds.</summary>
    public int LabelSeed { get; init; } = 8;

    /// <summary>espeak-ng voice for speech labels.</summary>
    public string Voice { get; init; } = "en";

    /// <summary>A folder of the user's own recordings, one per class (by class name or index), instead of espeak-ng.</summary>
    public string? AudioDir { get; init; }

    /// <summary>Dimension of the low-dimensional labels (paper: 10).</summary>
    public int LowDim { get; init; } = 10;
}
