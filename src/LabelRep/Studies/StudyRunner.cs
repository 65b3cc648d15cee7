using System.Text.Json;
using LabelRep.Data;
using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Runs;
using LabelRep.Training;

namespace LabelRep.Studies;

/// <summary>What a study shows while it runs; the CLI draws it, tests ignore it.</summary>
public interface IStudyObserver
{
    void Message(string line);
    IProgress<TrainProgress>? Training(string prefix);
    IProgress<AttackProgress>? Attacking(string prefix);
}

/// <summary>
/// Runs a study: every run of the grid is claimed, trained (resuming its checkpoint), attacked and embedded, and
/// each finished step is recorded in results.db in one transaction. Runs already done are skipped, so the same
/// command continues an interrupted study; two processes can work on one study. The report is Reporting's, from the
/// database (the CLI writes it after the runs).
/// </summary>
public sealed class StudyRunner
{
    public const string DatabaseFile = "results.db";

    private readonly string _dir;
    private readonly StudySpec _spec;
    private readonly string _device;
    private readonly IStudyObserver? _observer;
    private readonly Func<AttackReport, byte[]>? _attackPlot;
    private readonly int _threads;

    /// <param name="attackPlot">Draws each attack sweep's PNG into its run folder (Reporting's AttackPlot); null for none.</param>
    /// <param name="threads">CPU threads of this process's cells (0: libtorch's default).</param>
    public StudyRunner(string studyDir, StudySpec spec, string device = "auto", IStudyObserver? observer = null, Func<AttackReport, byte[]>? attackPlot = null,
        int threads = 0)
    {
        spec.Validate();
        _dir = Path.GetFullPath(studyDir);
        _spec = spec;
        _device = device;
        _observer = observer;
        _attackPlot = attackPlot;
        _threads = threads;
    }

    /// <summary>How long a process waits before it looks again for a cell it may claim (others hold the rest, or their sources are not done).</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public static string DatabasePath(string studyDir) => Path.Combine(studyDir, DatabaseFile);

    public string RunFolder(StudyRun run) =>
        Path.Combine(_dir, "runs", $"{IO.FileNames.Safe(run.Config.Dataset)}_{run.Config.Model}_{run.Config.Label}_s{run.Config.Seed}_f{run.Config.Fraction:0.####}_{run.Id[..8]}");

    /// <summary>Runs what is not done yet; returns the runs that failed.</summary>
    public int Run(CancellationToken cancel = default)
    {
        Directory.CreateDirectory(_dir);
        using var store = new StudyStore(DatabasePath(_dir));
        string spec = _spec.ToJson();
        string? existing = store.GetValue("spec");
        if (existing != null && existing != spec)
            throw new LabelRepException($"{_dir} holds a study with another spec; rerun it with the same --preset/--spec, or choose a new --out folder");
        store.SetValue("spec", spec);
        store.SetValue("name", _spec.Name);

        var data = new Dictionary<string, DatasetSplits>();
        try
        {
            foreach (string d in _spec.Datasets) data[d] = DatasetRegistry.Open(d, _spec.DataDir).Load();
            IReadOnlyList<StudyRun> runs = _spec.Runs(d => data[d].Train.Count);
            store.AddRuns(runs);
            RecordLabels(store, data, cancel);
            int failed = 0;
            var attempted = new HashSet<string>();
            // Pass over the grid until nothing is left for this process: a cell whose transfer source is not done yet waits
            // for it (another process may be training it), and cells held by other processes are theirs.
            while (true)
            {
                bool ran = false, waiting = false;
                for (int i = 0; i < runs.Count; i++)
                {
                    cancel.ThrowIfCancellationRequested();
                    StudyRun run = runs[i];
                    if (attempted.Contains(run.Id)) continue;
                    if (!SourceSettled(store, run, runs))
                    {
                        waiting = true;
                        continue;
                    }
                    if (!store.TryClaim(run.Id)) continue; // done, or held by a live process

                    attempted.Add(run.Id);
                    ran = true;
                    string name = $"[{i + 1}/{runs.Count}] {run.Config.Label} {run.Config.Model} {run.Config.Dataset} seed {run.Config.Seed} fraction {run.Config.Fraction:0.####}";
                    try
                    {
                        Execute(store, run, runs, data[run.Config.Dataset], name, cancel);
                        store.MarkDone(run.Id);
                    }
                    catch (OperationCanceledException)
                    {
                        store.Release(run.Id, null);
                        throw;
                    }
                    catch (LabelRepException e)
                    {
                        store.Release(run.Id, e.Message);
                        _observer?.Message($"{name}: failed: {e.Message}");
                        failed++;
                    }
                }
                if (!waiting) break;
                if (!ran) cancel.WaitHandle.WaitOne(PollInterval);
            }
            cancel.ThrowIfCancellationRequested();
            return failed;
        }
        finally
        {
            foreach (DatasetSplits d in data.Values) d.Dispose();
        }
    }

    private void Execute(StudyStore store, StudyRun run, IReadOnlyList<StudyRun> all, DatasetSplits data, string name, CancellationToken cancel)
    {
        var dir = new RunDirectory(RunFolder(run));
        TrainConfig config = run.Config with { Device = _device, Threads = _threads };
        if (!store.HasMetrics(run.Id))
        {
            TrainMetrics metrics;
            if (dir.IsComplete)
            {
                metrics = TrainMetrics.Read(dir.MetricsPath);
            }
            else
            {
                _observer?.Message(File.Exists(dir.CheckpointPath)
                    ? $"{name}: resuming from its last checkpoint ({config.Epochs} epochs in all)"
                    : $"{name}: training {config.Epochs} epoch(s)");
                using RunSetup setup = RunSetup.Create(config, data);
                metrics = new Trainer(setup, dir, _observer?.Training(name + " ")).Run(resume: true, cancel);
            }
            var state = CheckpointState.Read(dir.CheckpointPath, config);
            store.RecordTraining(run.Id, metrics, state.History);
            _observer?.Message($"{name}: test accuracy {metrics.TestAccuracy:P2}");
        }
        if (run.Attacked)
        {
            foreach (string protocolName in _spec.Attack.Protocols)
            {
                if (store.HasAttacks(run.Id, protocolName)) continue;
                cancel.ThrowIfCancellationRequested();
                AttackProtocol protocol = AttackProtocol.Parse(protocolName);
                RunDirectory? source = TransferSource(store, run, all, protocol);
                AttackReport report = RunAttack.Run(dir, source, Request(protocol, source != null), _device, _observer?.Attacking($"{name} {protocolName} "), cancel, data, _attackPlot);
                store.RecordAttacks(run.Id, report);
                double worst = report.Results.Where(r => r.Attack == AttackResult.WorstCase && !r.Targeted).OrderBy(r => r.Eps).Last().Accuracy;
                _observer?.Message($"{name}: {protocolName} attacks done; worst case at the largest ε {worst:P1}, {report.Flags.Count} flag(s)");
            }
        }
        if (run.Embedded && !store.HasFeatures(run.Id))
        {
            cancel.ThrowIfCancellationRequested();
            using RunSetup setup = RunSetup.WithBestWeights(dir, _device, data);
            Embedding embedding = Features.Embed(setup.Classifier, data.Test, _spec.TsneImages, run.Config.Seed);
            store.RecordFeatures(run.Id, new FeatureEmbedding(run.Id, run.Config.Dataset, run.Config.Model, run.Config.Label, embedding));
        }
    }

    private AttackRequest Request(AttackProtocol protocol, bool transfer)
    {
        StudyAttackSpec a = _spec.Attack;
        bool paper = protocol.NormalizedSpace; // both of the paper's protocols; their budgets are the official ones
        var request = new AttackRequest
        {
            Protocol = protocol,
            Attacks = paper ? a.PaperAttacks : a.StandardAttacks,
            Eps = paper ? a.PaperEps : a.StandardEps,
            Limit = a.Limit,
            Options = paper ? new Dictionary<string, double>() : a.Options,
            Targeted = paper ? TargetMode.Both : TargetMode.No,
            Suite = !paper && a.Suite != null ? AttackSuite.Parse(a.Suite) : null,
        };
        if (request.Suite != null) request = request with { Attacks = request.Attacks ?? protocol.DefaultAttacks };
        return transfer ? request with { Attacks = request.WithTransfer(request.Attacks ?? protocol.DefaultAttacks) } : request;
    }

    /// <summary>Whether the run's transfer source (if it needs one) is finished or failed, so that the run's attacks see it as a sequential study would.</summary>
    private bool SourceSettled(StudyStore store, StudyRun run, IReadOnlyList<StudyRun> all)
    {
        if (!run.Attacked || !_spec.Attack.Transfer || !_spec.Attack.Protocols.Contains(AttackProtocol.Standard.Name) || LabelKinds.IsBaseline(run.Config.Label))
            return true;
        StudyRun? source = BaselineOf(run, all);
        return source is null || store.StatusOf(source.Id) is "done" or "failed";
    }

    private static StudyRun? BaselineOf(StudyRun run, IReadOnlyList<StudyRun> all) =>
        all.FirstOrDefault(r => LabelKinds.IsBaseline(r.Config.Label) && r.Config.Dataset == run.Config.Dataset
            && r.Config.Model == run.Config.Model && r.Config.Seed == run.Config.Seed && r.Config.Fraction == run.Config.Fraction);

    /// <summary>The baseline (categorical) run of the same dataset, model, seed and fraction, once it is trained.</summary>
    private RunDirectory? TransferSource(StudyStore store, StudyRun run, IReadOnlyList<StudyRun> all, AttackProtocol protocol)
    {
        if (!_spec.Attack.Transfer || protocol != AttackProtocol.Standard || LabelKinds.IsBaseline(run.Config.Label)) return null;
        StudyRun? categorical = BaselineOf(run, all);
        if (categorical is null || !store.HasMetrics(categorical.Id)) return null;
        return new RunDirectory(RunFolder(categorical));
    }

    /// <summary>Each label kind's statistics and the label images of its first classes, once per dataset.</summary>
    private void RecordLabels(StudyStore store, Dictionary<string, DatasetSplits> data, CancellationToken cancel)
    {
        foreach (var (dataset, splits) in data)
        {
            store.SetValue($"classes:{dataset}", JsonSerializer.Serialize(splits.Info.ClassNames));
            foreach (string label in _spec.Labels)
            {
                cancel.ThrowIfCancellationRequested();
                if (store.HasLabel(dataset, label)) continue;
                using LabelBank bank = new LabelOptions { LabelsFile = _spec.LabelFiles?.GetValueOrDefault(dataset)?.GetValueOrDefault(label) }.BankFor(label, splits.Info);
                LabelStats stats = LabelStats.Compute(bank) with { Kind = label };
                float min = (float)stats.Min, max = (float)stats.Max;
                var images = Enumerable.Range(0, Math.Min(4, bank.ClassCount))
                    .Select(c => Labels.LabelImages.Png(bank.Row(c), bank.LabelShape, splits.Info.ClassNames[c], min, max, scale: 2)).ToList();
                store.RecordLabel(dataset, stats, images);
            }
        }
    }
}
