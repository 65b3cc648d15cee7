using System.CommandLine;
using System.Globalization;
using LabelRep.Data;
using LabelRep.Labels;
using LabelRep.Models;
using LabelRep.Native;
using LabelRep.Runs;

namespace LabelRep.Cli.Commands;

/// <summary>The options that make a <see cref="TrainConfig"/>, shared by the commands that train.</summary>
public sealed class TrainOptions
{
    private static readonly TrainConfig D = new();
    private static readonly LabelOptions L = new();

    public Option<string> Dataset { get; } = new("--dataset") { Description = $"dataset: {string.Join(", ", DatasetRegistry.Names)}", DefaultValueFactory = _ => D.Dataset };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "folder of the dataset files (default: the Debian package's folder for fashion-mnist, data/NAME otherwise)" };
    public Option<string> Model { get; } = new("--model") { Description = $"backbone: {string.Join(", ", ModelRegistry.Names)}", DefaultValueFactory = _ => D.Model };
    public Option<string> Label { get; } = new("--label") { Description = $"label kind: {string.Join(", ", LabelKinds.Names)}", DefaultValueFactory = _ => D.Label };
    public Option<string?> LabelsFile { get; } = new("--labels") { Description = "train against a label bank read from this .npy file (C×64×64 or C×d float32)" };
    public Option<int> LabelSeed { get; } = new("--label-seed") { Description = "seed of the generated label kinds (composite, random, lowdim, shuffled-speech)", DefaultValueFactory = _ => L.LabelSeed };
    public Option<string> Voice { get; } = new("--voice") { Description = "espeak-ng voice of the speech labels (en, fr, de, …)", DefaultValueFactory = _ => L.Voice };
    public Option<string?> AudioDir { get; } = new("--audio-dir") { Description = "your own recordings for the speech labels, one WAV per class (named by class name or index)" };
    public Option<int> LowDim { get; } = new("--lowdim") { Description = "dimension of the lowdim labels", DefaultValueFactory = _ => L.LowDim };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed of initialization, split, batch order and augmentation", DefaultValueFactory = _ => D.Seed };
    public Option<double> Fraction { get; } = new("--fraction") { Description = "share of the training file to train on (paper's data-efficiency level; 0.01 = 1%)", DefaultValueFactory = _ => D.Fraction };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "epochs (paper: 600)", DefaultValueFactory = _ => D.Epochs };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "training batch size", DefaultValueFactory = _ => D.BatchSize };
    public Option<double> Lr { get; } = new("--lr") { Description = "initial learning rate", DefaultValueFactory = _ => D.LearningRate };
    public Option<double> Momentum { get; } = new("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => D.Momentum };
    public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => D.WeightDecay };
    public Option<string> Milestones { get; } = new("--milestones") { Description = "comma-separated epoch counts after which lr is multiplied by --gamma; default: after 1/2 and 3/4 of the epochs (the paper's 300,450 of 600); 'none' for a constant lr", DefaultValueFactory = _ => "" };
    public Option<double> Gamma { get; } = new("--gamma") { Description = "learning-rate factor at each milestone", DefaultValueFactory = _ => D.Gamma };
    public Option<double> LabelSmoothing { get; } = new("--label-smoothing") { Description = "categorical label smoothing s (1−s on the true class, s/(C−1) elsewhere)", DefaultValueFactory = _ => 0.0 };
    public Option<string> Adversarial { get; } = new("--adversarial") { Description = "adversarial training: none, or pgd (Madry: PGD examples of the current model in place of every batch)", DefaultValueFactory = _ => "none" };
    public Option<string> AdvEps { get; } = new("--adv-eps") { Description = "adversarial training's L∞ radius in pixels, e.g. 8/255", DefaultValueFactory = _ => "8/255" };
    public Option<int> AdvSteps { get; } = new("--adv-steps") { Description = "adversarial training's PGD steps", DefaultValueFactory = _ => 7 };
    public Option<string?> AdvStepSize { get; } = new("--adv-step-size") { Description = "adversarial training's PGD step in pixels, e.g. 2/255 (default 2.5·ε/steps)" };
    public Option<string> AdvLoss { get; } = new("--adv-loss") { Description = "what adversarial training's PGD ascends: training (the label kind's own loss) or margin (over the class scores)", DefaultValueFactory = _ => "training" };
    public Option<bool> NoAugment { get; } = new("--no-augment") { Description = "train without random crop and flip" };
    public Option<int?> ValidationCount { get; } = new("--val-count") { Description = "validation hold-out size (default: 5000 for CIFAR and Fashion-MNIST)" };
    public Option<int> TestLimit { get; } = new("--test-limit") { Description = "evaluate only the first N test images (0 = all)", DefaultValueFactory = _ => 0 };
    public Option<string> Device { get; } = new("--device") { Description = $"device: {string.Join(", ", DeviceSelector.Names)}", DefaultValueFactory = _ => "auto" };
    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads (0 = libtorch's default)", DefaultValueFactory = _ => 0 };

    public IEnumerable<Option> All => new Option[]
    {
        Dataset, DataDir, Model, Label, LabelsFile, LabelSeed, Voice, AudioDir, LowDim, Seed, Fraction, Epochs, BatchSize, Lr,
        Momentum, WeightDecay, Milestones, Gamma, LabelSmoothing, Adversarial, AdvEps, AdvSteps, AdvStepSize, AdvLoss, NoAugment, ValidationCount, TestLimit,
        Device, Threads,
    };

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    public TrainConfig ToConfig(ParseResult r) => new()
    {
        Dataset = r.GetValue(Dataset)!, DataDir = r.GetValue(DataDir), Model = r.GetValue(Model)!, Label = r.GetValue(Label)!,
        Labels = ToLabelOptions(r), Seed = r.GetValue(Seed), Fraction = r.GetValue(Fraction), Epochs = r.GetValue(Epochs),
        BatchSize = r.GetValue(BatchSize), LearningRate = r.GetValue(Lr), Momentum = r.GetValue(Momentum),
        WeightDecay = r.GetValue(WeightDecay), Milestones = ParseMilestones(r.GetValue(Milestones)!, r.GetValue(Epochs)), Gamma = r.GetValue(Gamma),
        LabelSmoothing = r.GetValue(LabelSmoothing), Augment = !r.GetValue(NoAugment), ValidationCount = r.GetValue(ValidationCount),
        TestLimit = r.GetValue(TestLimit), Device = r.GetValue(Device)!, Threads = r.GetValue(Threads),
        Adversarial = ToAdversarial(r),
    };

    /// <summary>The adversarial-training options, or null for plain training (the other --adv-* options then must not be given).</summary>
    public Runs.AdversarialTraining? ToAdversarial(ParseResult r)
    {
        string kind = r.GetValue(Adversarial)!;
        if (kind == "none")
        {
            var given = new Option[] { AdvEps, AdvSteps, AdvStepSize, AdvLoss }.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray();
            if (given.Length > 0) throw new LabelRepException($"{string.Join(", ", given)} {(given.Length == 1 ? "needs" : "need")} --adversarial pgd");
            return null;
        }
        return new Runs.AdversarialTraining
        {
            Attack = kind, Eps = Single("--adv-eps", r.GetValue(AdvEps)!), Steps = r.GetValue(AdvSteps),
            StepSize = r.GetValue(AdvStepSize) is { } step ? Single("--adv-step-size", step) : null, Loss = Runs.AdversarialTraining.LossNamed(r.GetValue(AdvLoss)!),
        };

        static double Single(string option, string text)
        {
            double[] values;
            try
            {
                values = Evaluation.EpsList.Parse(text);
            }
            catch (LabelRepException)
            {
                values = Array.Empty<double>();
            }
            if (values.Length != 1) throw new LabelRepException($"{option} '{text}': give one number, e.g. 8/255 or 0.031");
            return values[0];
        }
    }

    /// <summary>The label options given on the command line (files as absolute paths).</summary>
    public LabelOptions ToLabelOptions(ParseResult r) => new()
    {
        LabelsFile = r.GetValue(LabelsFile) is { } f ? Path.GetFullPath(f) : null,
        LabelSeed = r.GetValue(LabelSeed), Voice = r.GetValue(Voice)!, AudioDir = r.GetValue(AudioDir) is { } a ? Path.GetFullPath(a) : null,
        LowDim = r.GetValue(LowDim),
    };

    public static int[] ParseMilestones(string text, int epochs)
    {
        if (string.IsNullOrWhiteSpace(text)) return TrainConfig.PaperMilestones(epochs);
        if (text.Trim() == "none") return Array.Empty<int>();
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).OrderBy(m => m).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new LabelRepException($"--milestones '{text}': give comma-separated epoch counts from 1 to 100,000, e.g. 300,450");
        }
    }
}
