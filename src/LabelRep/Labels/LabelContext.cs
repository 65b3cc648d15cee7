using LabelRep.Data;
using LabelRep.IO;

namespace LabelRep.Labels;

/// <summary>What a label kind may use to build its bank: the dataset's class names and the label options.</summary>
public sealed record LabelContext(DatasetInfo Dataset, LabelOptions Options);

/// <summary>Options of the label kinds; the defaults follow the paper. A run's config.json holds them inline.</summary>
public sealed record LabelOptions
{
    /// <summary>A bank read from this .npy file instead of the generated one.</summary>
    public string? LabelsFile { get; init; }

    /// <summary>Seed of the randomly generated kinds (composite, random, lowdim, shuffle permutations); fixed across training seeds.</summary>
    public int LabelSeed { get; init; } = 8;

    /// <summary>espeak-ng voice for speech labels.</summary>
    public string Voice { get; init; } = "en";

    /// <summary>A folder of the user's own recordings, one per class (by class name or index), instead of espeak-ng.</summary>
    public string? AudioDir { get; init; }

    /// <summary>Dimension of the low-dimensional labels (paper: 10).</summary>
    public int LowDim { get; init; } = 10;

    /// <summary>The bank of <paramref name="kind"/> for a dataset: read from <see cref="LabelsFile"/>, or built by the kind.</summary>
    public LabelBank BankFor(string kind, DatasetInfo dataset)
    {
        ILabelKind labels = LabelKinds.Get(kind);
        return LabelsFile != null ? LabelBankFile.Read(LabelsFile, kind, dataset.ClassCount) : labels.Build(new LabelContext(dataset, this));
    }

    public void Validate()
    {
        if (LowDim < 1) throw new LabelRepException($"--lowdim {LowDim}: must be at least 1");
    }
}
