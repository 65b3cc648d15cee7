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

    public string RunFolder(StudyRun run) => StudyCell.FolderOf(_dir, run).Root;

    /// <summary>
    /// Everything before the first cell, without running one: checks that the folder holds this spec, opens the
    /// datasets, records the grid and the label statistics. A process that starts workers calls it first, so bad input
    /// fails there, once, with one line. <see cref="Run"/> does the same (again, harmlessly).
    /// </summary>
    public void Prepare(CancellationToken cancel = default)
    {
        using var store = Open(_dir, _spec);
        var data = new Dictionary<string, DatasetSplits>();
        try
        {
            LoadAndRecord(store, _spec, data, cancel);
        }
        finally
        {
            foreach (DatasetSplits d in data.Values) d.Dispose();
        }
    }

    /// <summary>
    /// Loads each dataset of the spec into <paramref name="data"/> (the caller disposes them), records the grid and the
    /// label statistics, and returns the grid: what every process that works on a study's database does first.
    /// </summary>
    internal static IReadOnlyList<StudyRun> LoadAndRecord(StudyStore store, StudySpec spec, Dictionary<string, DatasetSplits> data, CancellationToken cancel)
    {
        foreach (string d in spec.Datasets) data[d] = DatasetRegistry.Open(d, spec.DataDir).Load();
        IReadOnlyList<StudyRun> runs = spec.Runs(d => data[d].Train.Count);
        store.AddRuns(runs);
        RecordLabels(store, spec, data.ToDictionary(kv => kv.Key, kv => kv.Value.Info), cancel);
        return runs;
    }

    /// <summary>Runs what is not done yet; returns the runs that failed.</summary>
    public int Run(CancellationToken cancel = default)
    {
        using var store = Open(_dir, _spec);
        var data = new Dictionary<string, DatasetSplits>();
        try
        {
            IReadOnlyList<StudyRun> runs = LoadAndRecord(store, _spec, data, cancel);
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
                    var cell = new StudyCell(_dir, _spec, runs, i);
                    if (attempted.Contains(cell.Run.Id)) continue;
                    if (cell.TransferSourceRun is { } source && store.StatusOf(source.Id) is not ("done" or "failed"))
                    {
                        waiting = true;
                        continue;
                    }
                    if (!store.TryClaim(cell.Run.Id)) continue; // done, or held by a live process
                    attempted.Add(cell.Run.Id);
                    ran = true;
                    try
                    {
                        cell.Execute(data[cell.Run.Config.Dataset], _device, _threads, _observer, _attackPlot, cancel);
                        store.ImportCell(cell);
                        store.MarkDone(cell.Run.Id);
                    }
                    catch (OperationCanceledException)
                    {
                        store.Release(cell.Run.Id, null);
                        throw;
                    }
                    catch (LabelRepException e)
                    {
                        store.Release(cell.Run.Id, e.Message);
                        _observer?.Message($"{cell.Name}: failed: {e.Message}");
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

    /// <summary>The one refusal of a study folder that holds another spec (<paramref name="existing"/>; null for a new folder).</summary>
    internal static void RefuseAnotherSpec(string dir, string? existing, string json)
    {
        if (existing != null && existing != json)
            throw new LabelRepException($"{dir} holds a study with another spec; rerun it with the same --preset/--spec, or choose a new --out folder");
    }

    /// <summary>The study's database, holding this spec (a folder of another spec is an error).</summary>
    internal static StudyStore Open(string dir, StudySpec spec)
    {
        IO.OutputFolder.Create(dir, "study");
        var store = new StudyStore(DatabasePath(dir));
        try
        {
            string json = spec.ToJson();
            RefuseAnotherSpec(dir, store.GetValue("spec"), json);
            store.SetValue("spec", json);
            store.SetValue("name", spec.Name);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Each label kind's statistics and the label images of its first classes, once per dataset.</summary>
    private static void RecordLabels(StudyStore store, StudySpec spec, Dictionary<string, DatasetInfo> datasets, CancellationToken cancel)
    {
        foreach (var (dataset, info) in datasets)
        {
            store.SetValue($"classes:{dataset}", JsonSerializer.Serialize(info.ClassNames));
            foreach (string label in spec.Labels)
            {
                cancel.ThrowIfCancellationRequested();
                if (store.HasLabel(dataset, label)) continue;
                using LabelBank bank = new LabelOptions { LabelsFile = spec.LabelFiles?.GetValueOrDefault(dataset)?.GetValueOrDefault(label) }.BankFor(label, info);
                LabelStats stats = LabelStats.Compute(bank) with { Kind = label };
                float min = (float)stats.Min, max = (float)stats.Max;
                var images = Enumerable.Range(0, Math.Min(4, bank.ClassCount))
                    .Select(c => Labels.LabelImages.Png(bank.Row(c), bank.LabelShape, info.ClassNames[c], min, max, scale: 2)).ToList();
                store.RecordLabel(dataset, stats, images);
            }
        }
    }
}
