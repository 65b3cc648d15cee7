namespace LabelRep.Labels;

/// <summary>What a label kind stands for in the paper's argument; the claims read it, so a new kind joins them by declaring it.</summary>
public enum LabelRole
{
    /// <summary>The one-hot categorical labels everything is compared with.</summary>
    Baseline,

    /// <summary>High-dimensional, high-entropy labels: the paper's claims are about these.</summary>
    HighDimensional,

    /// <summary>Labels that should not help (constant, low-dimensional): the paper's controls.</summary>
    Control,

    /// <summary>Label geometries from later work (Hadamard codes, MMC centres, label smoothing): compared with the baseline, outside the paper's claims.</summary>
    Alternative,

    /// <summary>Labels built to vary one property at a time (the controlled family): read through the report's label-properties section, not judged as a geometry.</summary>
    Instrument,
}

/// <summary>A label representation, registered by name in <see cref="LabelKinds"/>. A new kind is one new file.</summary>
public interface ILabelKind : IRegistered
{
    /// <summary>One line for --help and the report.</summary>
    string Description { get; }

    LabelRole Role { get; }

    /// <summary>The kind's name in the official repository's files (labels/label_files/cifar10_NAME.npy), where it differs.</summary>
    string OfficialName => Name;

    /// <summary>The numeric parameters a label name may set ("controlled:levels=16"), with their defaults; none unless the kind declares them.</summary>
    IReadOnlyDictionary<string, double> Parameters => NoParameters;

    /// <summary>The empty parameter set.</summary>
    static readonly IReadOnlyDictionary<string, double> NoParameters = new Dictionary<string, double>();

    /// <summary>
    /// The factor on the run's learning rate this kind trains at: 1, unless its loss has a larger gradient scale than
    /// the paper's bounded ones (MMC's squared distance trains at a tenth, as its reference recipes do). epochs.csv
    /// records the rate used.
    /// </summary>
    double LearningRateFactor => 1;

    /// <summary>
    /// Whether the bank is a random draw (from <see cref="LabelOptions.LabelSeed"/>): then a study gives each training
    /// seed its own draw, so a verdict's interval covers the label draws' variance, not one matrix's luck.
    /// </summary>
    bool DrawnAtRandom => false;

    /// <summary>Builds the bank for a dataset: one target per class, (C, d) or (C, H, W); the head produces one label's shape.</summary>
    LabelBank Build(LabelContext context);

    /// <summary>How a model trains against the bank and decides: Smooth-L1 regression and the nearest label, unless the kind says otherwise.</summary>
    Objective CreateObjective(LabelBank bank, double labelSmoothing, LabelParameters parameters)
    {
        if (labelSmoothing != 0) throw new LabelRepException("--label-smoothing applies to categorical labels only");
        return new RegressionObjective(bank);
    }
}
