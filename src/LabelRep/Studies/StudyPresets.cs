using LabelRep.Runs;

namespace LabelRep.Studies;

/// <summary>The built-in studies (--preset): one method each.</summary>
public sealed partial record StudySpec
{
    public static IReadOnlyList<string> PresetNames => new[] { "quick", "fashion", "paper", "beyond", "reeval" };

    /// <summary>
    /// The controlled family's sweep in the beyond preset: one property at a time, the other two fixed. Entropy: 1, 4
    /// and 12 bits at rank 2 and closest pair 4; rank 3, 5 and 10 at 8 bits and closest pair 7; closest pair 4, 7 and 14
    /// at 8 bits and rank 10 (the rank sweep's last setting is the distance sweep's middle one). Speech labels' closest
    /// pair is 10.1 and random labels' 25.6; below about 3 the labels did not train in a short run (10% after 2 epochs
    /// on 5%), at 4 with rank 2 they reached 31% and at 12 with rank 10 61%. Each setting is within what the
    /// construction reaches (rank 2: 4.75 to 6.7; rank 3: 8.3; rank 10: 16.5, label seed 8).
    /// </summary>
    public static readonly string[] ControlledSweep =
    {
        "controlled:levels=2,rank=2,distance=4", "controlled:levels=16,rank=2,distance=4", "controlled:levels=4096,rank=2,distance=4",
        "controlled:levels=256,rank=3,distance=7", "controlled:levels=256,rank=5,distance=7", "controlled:levels=256,rank=10,distance=7",
        "controlled:levels=256,rank=10,distance=4", "controlled:levels=256,rank=10,distance=14",
    };

    /// <summary>The beyond preset's kinds: the paper's baseline and two of its high-dimensional kinds, the later geometries, and the controlled sweep.</summary>
    public static readonly string[] BeyondKinds =
        new[] { "categorical", "speech", "random", "hadamard", "mmc", "label-smoothing" }.Concat(ControlledSweep).ToArray();

    /// <summary>The paper's label kinds, the presets' grid (kinds added since, such as the beyond-the-paper ones, have their own preset).</summary>
    public static readonly string[] PaperKinds = { "categorical", "speech", "shuffled-speech", "composite", "constant", "random", "lowdim" };

    /// <summary>
    /// The quick preset's kinds: the baseline, speech and its structure-free twin (the same values, time columns shuffled), and both controls.
    /// Uniform random labels are left to the fashion preset: 3 epochs on 10% in batches of 128 left them at 12.5% and 52.3% test accuracy (two seeds).
    /// </summary>
    public static readonly string[] QuickKinds = { "categorical", "speech", "shuffled-speech", "constant", "lowdim" };

    public static StudySpec Preset(string name) => name switch
    {
        "quick" => Quick(),
        "fashion" => Fashion(),
        "paper" => Paper(),
        "beyond" => Beyond(),
        "reeval" => Reeval(),
        _ => throw new LabelRepException($"unknown study preset '{name}'; valid: {string.Join(", ", PresetNames)}"),
    };

    /// <summary>
    /// What the CPU presets (quick, beyond, reeval) share: main runs on 10% of Fashion-MNIST for 3 epochs, batches of 64
    /// (they double the steps of so short a run at about the same cost: shuffled speech reaches 78.0% instead of 47.8%,
    /// seed 7), 1,000 validation images.
    /// </summary>
    private static StudySpec ShortRuns => new()
    {
        MainFraction = 0.1,
        Epochs = 3,
        BatchSize = 64,
        ValidationCount = 1000,
    };

    private static StudySpec Quick() => ShortRuns with
    {
        Name = "quick",
        Description = "Five of the paper's label kinds (categorical, speech, shuffled speech; the controls constant and lowdim) with smallcnn on " +
                      "Fashion-MNIST: main runs on 10% of the training set for 3 epochs (batches of 64) with 5 seeds; data efficiency at 1% " +
                      "(at least 100 steps, 3 seeds); the paper's attacks (official and fixed) and APGD-CE, APGD-DLR and APGD-T (3 targets, " +
                      "100 iterations) at 8/255 on 100 test images of seeds 7, 77 and 777; verdicts with 95% intervals (at least 3 seeds each). " +
                      "Its evaluation under today's attacks is below the attack gate (no Square, 3 targets, no masking checks: the gate's " +
                      "full strength took 155 s a run here, 40 minutes for the study), so those claims say 'no verdict' and name what is " +
                      "missing; the reeval and fashion presets evaluate at full strength.",
        Labels = QuickKinds,
        // 5 seeds: Student's t at 4 degrees of freedom is 2.78 against 4.30 at 3 seeds, so the same noise gives intervals 35% narrower;
        // the data-efficiency runs take the 3 seeds a verdict needs (docs/statistics.md).
        Seeds = new[] { 7, 77, 777, 7777, 77777 },
        SweepSeeds = new[] { 7, 77, 777 },
        Fractions = new[] { 0.01 },
        MinSteps = 100,
        // Below the gate on purpose: the quick study stays within 20 minutes (docs/studies.md). Standalone attacks, not a
        // suite: a suite brings the unbounded-ε and budget-convergence checks, about 70 s a run.
        Attack = new StudyAttackSpec
        {
            Limit = 100,
            Seeds = new[] { 7, 77, 777 },
            StandardAttacks = new[] { "apgd", "apgd-t" },
            StandardEps = new[] { 0, 8 / 255.0 },
            PaperEps = new[] { 0, 0.1, 0.3 },
            Targets = 3,
            Transfer = false,
        },
        TsneImages = 200,
    };

    private static StudySpec Fashion() => new StudySpec
    {
        Name = "fashion",
        Description = "The paper's label kinds with smallcnn on Fashion-MNIST at full size, 5 seeds, 15 epochs; the full data-efficiency sweep; " +
                      "the paper's attacks and the adaptive suite (AutoAttack's standard version: APGD-CE, APGD-T and FAB-T over 9 targets, Square " +
                      "5,000; plus the attacks aimed at label decoders) on 1,000 test images.",
        Labels = PaperKinds,
        Seeds = new[] { 7, 77, 777, 7777, 77777 },
        Fractions = new[] { 0.01, 0.02, 0.04, 0.08, 0.1, 0.2 },
        Epochs = 15,
        MinSteps = 1000,
        Attack = new StudyAttackSpec { Limit = 1000, StandardAttacks = Array.Empty<string>(), Suite = "adaptive" },
    };

    private static StudySpec Paper() => new StudySpec
    {
        Name = "paper",
        Description = "The paper's grid: CIFAR-10 and CIFAR-100 × VGG19-BN, ResNet-32, ResNet-110 × the paper's label kinds × the official seeds 7 and 77 " +
                      "and 3 more, the data fractions, 600 epochs (milestones 300, 450); all 10,000 test images attacked with the paper's attacks and the " +
                      "AutoAttack's standard version (APGD-CE, APGD-T, FAB-T, Square 5,000). For a GPU or a cluster.",
        Datasets = new[] { "cifar10", "cifar100" },
        Models = new[] { "vgg19", "resnet32", "resnet110" },
        Labels = PaperKinds,
        Seeds = new[] { 7, 77, 777, 7777, 77777 },
        Fractions = new[] { 0.01, 0.02, 0.04, 0.08, 0.1, 0.2 },
        Epochs = 600,
        Milestones = new[] { 300, 450 },
        Attack = new StudyAttackSpec { Limit = 0, StandardAttacks = Array.Empty<string>(), Suite = "autoattack" },
        TsneImages = 1000,
    };

    private static StudySpec Beyond() => ShortRuns with
    {
        Name = "beyond",
        Description = "Beyond the paper, on Fashion-MNIST with smallcnn: categorical, speech and random labels against the later geometries " +
                      "(Hadamard codes, Max-Mahalanobis centres, label smoothing) and the controlled family that sets entropy, rank and the closest " +
                      "pair one at a time; each trained plainly and with PGD-7 adversarial training at 8/255; 5 seeds (kinds drawn at random: a draw per seed); 10% of the training set for " +
                      "3 epochs (batches of 64); APGD-CE, APGD-T (9 targets) and Square (5,000 queries) at 4/255 and 8/255 on 500 test images with the transfer attack; " +
                      "verdicts with 95% intervals and robust accuracy against label properties.",
        Labels = BeyondKinds,
        Seeds = new[] { 7, 77, 777, 7777, 77777 },
        Fractions = Array.Empty<double>(),
        Training = new[] { "plain", "adversarial" },
        Adversarial = new AdversarialTraining { Eps = 8 / 255.0, Steps = 7 },
        Attack = new StudyAttackSpec
        {
            Protocols = new[] { "standard" },
            Limit = 500,
            StandardAttacks = Array.Empty<string>(),
            StandardEps = new[] { 0, 4 / 255.0, 8 / 255.0 },
            Suite = "apgd-ce,apgd-t,square",
        },
        TsneImages = 0,
    };

    /// <summary>The beyond-the-paper kinds the re-evaluation adds to the paper's: the later label geometries.</summary>
    public static readonly string[] ReevalKinds = PaperKinds.Concat(new[] { "hadamard", "mmc", "label-smoothing" }).ToArray();

    private static StudySpec Reeval() => ShortRuns with
    {
        Name = "reeval",
        Description = "The paper's robustness claim re-evaluated with attacks aimed at label decoders, reduced for a CPU: the paper's seven " +
                      "label kinds and the later geometries (Hadamard codes, Max-Mahalanobis centres, label smoothing) with smallcnn on " +
                      "Fashion-MNIST, 10% of the training set for 3 epochs (batches of 64), 3 seeds; the adaptive suite (AutoAttack's standard " +
                      "version, then APGD on the label margin and the targeted label pull, then Square 5,000) at 8/255 on 200 test images, with " +
                      "the masking checks and the attack gate. The full grid is the fashion preset.",
        Labels = ReevalKinds,
        Seeds = new[] { 7, 77, 777 },
        Fractions = Array.Empty<double>(),
        Attack = new StudyAttackSpec
        {
            Protocols = new[] { "standard" },
            Limit = 200,
            StandardAttacks = Array.Empty<string>(),
            StandardEps = new[] { 0, 8 / 255.0 },
            Suite = "adaptive",
            Transfer = false,
        },
        TsneImages = 0,
    };
}
