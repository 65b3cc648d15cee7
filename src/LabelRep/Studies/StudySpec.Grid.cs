using LabelRep.Labels;
using LabelRep.Runs;

namespace LabelRep.Studies;

/// <summary>A spec's grid: its runs in running order, with their epochs and label seeds.</summary>
public sealed partial record StudySpec
{
    public double[] AllFractions => Fractions.Append(MainFraction).Distinct().OrderBy(f => f).ToArray();

    /// <summary>The largest grid a study takes unless its spec raises <see cref="MaxCells"/>: 10,000 cells (the fashion preset has 245).</summary>
    public const long DefaultMaxCells = 10_000;

    /// <summary>
    /// The grid's number of cells, counted without building it (in 64 bits, saturating): datasets × models × training
    /// regimes × labels × seeds, summed over the fractions (the sweep's fractions take the sweep's seeds).
    /// </summary>
    public long CellCount()
    {
        long perSeed = Mul(Mul(Mul(Datasets.Length, Models.Length), Regimes.Length), Labels.Length);
        long total = 0;
        foreach (double fraction in AllFractions)
            total = Math.Min(long.MaxValue / 2, total + Mul(perSeed, (fraction == MainFraction ? Seeds : SweepSeeds ?? Seeds).Length));
        return total;

        static long Mul(long a, long b) => a != 0 && b > long.MaxValue / 4 / a ? long.MaxValue / 4 : a * b;
    }

    /// <summary>The grid in running order: main runs first (the baseline before the others, for transfer), then the sweep.</summary>
    public IReadOnlyList<StudyRun> Runs(Func<string, int>? trainImages = null)
    {
        var runs = new List<StudyRun>();
        foreach (double fraction in AllFractions.OrderBy(f => f == MainFraction ? 0 : 1).ThenByDescending(f => f))
            foreach (string dataset in Datasets)
                foreach (string model in Models)
                    foreach (int seed in fraction == MainFraction ? Seeds : SweepSeeds ?? Seeds)
                        foreach (string training in Regimes)
                            foreach (string label in Labels.OrderBy(l => LabelKinds.IsBaseline(l) ? 0 : 1))
                            {
                                string? bank = LabelFiles?.GetValueOrDefault(dataset)?.GetValueOrDefault(label);
                                var config = new TrainConfig
                                {
                                    Dataset = dataset, DataDir = DataDir, Model = model, Label = label, Seed = seed, Fraction = fraction,
                                    Labels = new LabelOptions { LabelsFile = bank, LabelSeed = bank is null ? LabelSeedFor(label, seed) : new LabelOptions().LabelSeed },
                                    Epochs = Epochs, BatchSize = BatchSize, LearningRate = LearningRate, ValidationCount = ValidationCount, TestLimit = TestLimit,
                                    Adversarial = training == "adversarial" ? AdversarialSettings : null,
                                };
                                int epochs = EpochsFor(config, trainImages?.Invoke(dataset));
                                config = config with { Epochs = epochs, Milestones = Milestones ?? TrainConfig.PaperMilestones(epochs) };
                                bool main = fraction == MainFraction;
                                runs.Add(new StudyRun(config, Attacked: main && Attack.Protocols.Length > 0 && (Attack.Seeds is null || Attack.Seeds.Contains(seed)), Embedded: main && TsneImages > 0 && seed == Seeds[0]));
                            }
        return runs;
    }

    /// <summary>
    /// The label seed of a run: a kind drawn at random gets a fresh draw per training seed (the training seed itself), so
    /// a verdict's interval over seeds covers the label draws too; every other kind keeps the default, which its bank
    /// does not depend on. A bank file (<see cref="LabelFiles"/>) is one fixed bank for every seed.
    /// </summary>
    public static int LabelSeedFor(string label, int seed) => LabelKinds.IsDrawnAtRandom(label) ? seed : new LabelOptions().LabelSeed;

    private int EpochsFor(TrainConfig config, int? trainFileImages)
    {
        if (MinSteps <= 0 || trainFileImages is null) return Epochs;
        int validation = config.ValidationCount ?? 5000;
        double images = Math.Max(1, Math.Floor((trainFileImages.Value - validation) * config.Fraction));
        int stepsPerEpoch = (int)Math.Ceiling(images / BatchSize);
        return Math.Max(Epochs, (int)Math.Ceiling((double)MinSteps / stepsPerEpoch));
    }
}

/// <summary>One run of a study and what is measured on it beyond accuracy.</summary>
public sealed record StudyRun(TrainConfig Config, bool Attacked, bool Embedded)
{
    public string Id => Config.Hash();

    /// <summary>The run's label as results show it: the label name, with "+pgd7-8/255" when it was trained adversarially.</summary>
    public string Arm => Config.Arm;

    /// <summary>The label name of an arm (what precedes '+').</summary>
    public static string LabelOf(string arm) => arm.Split(LabelKinds.ArmSeparator)[0];

    /// <summary>The training regime of an arm: "" for plain, else e.g. "pgd7-8/255".</summary>
    public static string RegimeOf(string arm) => arm.Contains(LabelKinds.ArmSeparator) ? arm[(arm.IndexOf(LabelKinds.ArmSeparator) + 1)..] : "";
}
