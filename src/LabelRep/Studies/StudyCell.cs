using System.Text.Json;
using LabelRep.Data;
using LabelRep.Evaluation;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Runs;
using LabelRep.Training;

namespace LabelRep.Studies;

/// <summary>
/// One cell of a study's grid: a run trained, attacked and embedded into its own run folder, and nothing else. Every
/// result it makes is a file there, written atomically (metrics.json, checkpoint.json, attacks.json, features.json), so
/// cells can run anywhere, even many at once on a shared filesystem, and results.db is built from the folders.
/// </summary>
public sealed class StudyCell
{
    public const string FeaturesFile = "features.json";

    private readonly StudySpec _spec;
    private readonly IReadOnlyList<StudyRun> _grid;

    public StudyCell(string studyDir, StudySpec spec, IReadOnlyList<StudyRun> grid, int index)
    {
        if (index < 0 || index >= grid.Count) throw new LabelRepException($"cell {index}: the study has cells 0 to {grid.Count - 1}");
        StudyDir = Path.GetFullPath(studyDir);
        _spec = spec;
        _grid = grid;
        Index = index;
    }

    public string StudyDir { get; }
    public int Index { get; }
    public StudyRun Run => _grid[Index];
    public RunDirectory Folder => FolderOf(StudyDir, Run);

    /// <summary>"[3/21] speech smallcnn fashion-mnist seed 7 fraction 0.2", for progress lines.</summary>
    public string Name => $"[{Index + 1}/{_grid.Count}] {Run.Arm} {Run.Config.Model} {Run.Config.Dataset} seed {Run.Config.Seed} fraction {Run.Config.Fraction:0.####}";

    /// <summary>A run's folder: readable names, and the configuration hash that makes it unique.</summary>
    public static RunDirectory FolderOf(string studyDir, StudyRun run) =>
        new(Path.Combine(studyDir, "runs", $"{FileNames.Safe(run.Config.Dataset)}_{run.Config.Model}_{FileNames.Safe(run.Arm)}_s{run.Config.Seed}_f{run.Config.Fraction:0.####}_{run.Id[..8]}"));

    /// <summary>The baseline cell of the same dataset, model, seed, fraction and training regime: the source of this one's transfer attack.</summary>
    public StudyRun? TransferSourceRun =>
        !Run.Attacked || !_spec.Attack.Transfer || !_spec.Attack.Protocols.Any(p => AttackProtocol.Parse(p).IsStandard) || LabelKinds.IsBaseline(Run.Config.Label)
            ? null
            : _grid.FirstOrDefault(r => LabelKinds.IsBaseline(r.Config.Label) && r.Config.Dataset == Run.Config.Dataset
                && r.Config.Model == Run.Config.Model && r.Config.Seed == Run.Config.Seed && r.Config.Fraction == Run.Config.Fraction
                && Equals(r.Config.Adversarial, Run.Config.Adversarial));

    /// <summary>Trained, attacked under every protocol and embedded, as the spec asks: all its files are there.</summary>
    public bool IsComplete => IsTrained(Folder) && MissingProtocols().Count == 0 && (!Run.Embedded || File.Exists(Folder.Combine(FeaturesFile)));

    private static bool IsTrained(RunDirectory folder) => folder.IsComplete;

    private IReadOnlyList<string> MissingProtocols()
    {
        if (!Run.Attacked) return Array.Empty<string>();
        var done = File.Exists(AttackFiles.JsonPath(Folder)) ? AttackFiles.Load(Folder).Select(r => r.Protocol).ToHashSet() : new HashSet<string>();
        return _spec.Attack.Protocols.Where(p => !done.Contains(p)).ToArray();
    }

    /// <summary>Does what is not done yet: trains (resuming its checkpoint), attacks, embeds.</summary>
    public void Execute(DatasetSplits data, string device, int threads, IStudyObserver? observer, Func<AttackReport, byte[]>? attackPlot, CancellationToken cancel)
    {
        RunDirectory dir = Folder;
        TrainConfig config = Run.Config with { Device = device, Threads = threads };
        if (!dir.IsComplete)
        {
            observer?.Message(File.Exists(dir.CheckpointPath)
                ? $"{Name}: resuming from its last checkpoint ({config.Epochs} epochs in all)"
                : $"{Name}: training {config.Epochs} epoch(s)");
            using RunSetup setup = RunSetup.Create(config, data);
            TrainMetrics metrics = new Trainer(setup, dir, observer?.Training(Name + " ")).Run(resume: true, cancel);
            observer?.Message($"{Name}: test accuracy {metrics.TestAccuracy:P2}");
        }
        foreach (string protocolName in MissingProtocols())
        {
            cancel.ThrowIfCancellationRequested();
            AttackProtocol protocol = AttackProtocol.Parse(protocolName);
            RunDirectory? source = protocol.IsStandard && TransferSourceRun is { } s && IsTrained(FolderOf(StudyDir, s)) ? FolderOf(StudyDir, s) : null;
            AttackReport report = RunAttack.Run(dir, source, Request(protocol, source != null), device, observer?.Attacking($"{Name} {protocolName} "), cancel, data, attackPlot,
                resuming: (_, batches) => observer?.Message($"{Name}: resuming its interrupted {protocolName} attacks ({batches} finished batch(es) kept)"));
            double worst = report.Results.Where(r => r.Attack == AttackResult.WorstCase && !r.Targeted).OrderBy(r => r.Eps).Last().Accuracy;
            observer?.Message($"{Name}: {protocolName} attacks done; worst case at the largest ε {worst:P1}, {report.Flags.Count} flag(s)");
        }
        if (Run.Embedded && !File.Exists(dir.Combine(FeaturesFile)))
        {
            cancel.ThrowIfCancellationRequested();
            using RunSetup setup = RunSetup.WithBestWeights(dir, device, data);
            Embedding embedding = Features.Embed(setup.Classifier, data.Test, _spec.TsneImages, Run.Config.Seed);
            AtomicFile.WriteText(dir.Combine(FeaturesFile), JsonSerializer.Serialize(embedding, TrainConfig.Json));
        }
    }

    /// <summary>The cell's embedding, from features.json.</summary>
    public static Embedding ReadFeatures(RunDirectory dir) => JsonFile.Read<Embedding>(dir.Combine(FeaturesFile), "feature embedding", TrainConfig.Json);

    private AttackRequest Request(AttackProtocol protocol, bool transfer) => _spec.Attack.RequestFor(protocol, transfer);
}
