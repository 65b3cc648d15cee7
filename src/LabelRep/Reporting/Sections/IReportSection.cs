using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>One part of the study report. A new section is one class here plus one line in <see cref="StudyReport.Sections"/>.</summary>
public interface IReportSection : IRegistered
{
    /// <summary>Where the section stands in the report: sections are written by ascending order (claims 10, features 70).</summary>
    int Order { get; }

    void Write(ReportDocument doc, StudyData data);
}

/// <summary>What every section reads: the study's database and the rows it holds, read once.</summary>
public sealed class StudyData
{
    public StudyData(StudyStore store)
    {
        Store = store;
        Spec = store.GetValue("spec") is { } json ? StudySpec.FromJson(json, store.Path) : new StudySpec();
        Runs = store.Results();
        Attacks = store.AttackResults();
        Labels = LabelKinds.Names.Where(l => Runs.Any(r => r.Label == l))
            .Concat(Runs.Select(r => r.Label).Distinct().Where(l => !LabelKinds.Names.Contains(l))).ToArray();
    }

    public StudyStore Store { get; }
    public StudySpec Spec { get; }
    public IReadOnlyList<RunResult> Runs { get; }
    public IReadOnlyList<RunAttackResult> Attacks { get; }

    /// <summary>The study's label kinds in the registry's order (the baseline first).</summary>
    public string[] Labels { get; }

    /// <summary>The training fraction of the runs that are attacked and embedded.</summary>
    public double MainFraction => Spec.MainFraction;

    private IReadOnlyList<StudyStore.ImageResult>? _images;
    private IReadOnlyList<(string RunId, string Protocol, Evaluation.AttackFlag Flag)>? _flags;

    /// <summary>Per run, the per-image results (test correctness, worst-case robustness per ε), read once.</summary>
    public IReadOnlyList<StudyStore.ImageResult> Images => _images ??= Store.ImageResults();

    private ILookup<string, StudyStore.ImageResult>? _byRun;

    /// <summary>Per test image, 1 where the run classified it correctly; null without per-image results.</summary>
    public double[]? Correct(RunResult run) => ImagesOf(run).FirstOrDefault(i => i.Source == "test")?.Values.Select(v => v ? 1.0 : 0.0).ToArray();

    /// <summary>Per attacked image, 1 where it survived the worst case at <paramref name="eps"/>; null when not measured.</summary>
    public double[]? RobustAt(RunResult run, string protocol, double eps) =>
        ImagesOf(run).FirstOrDefault(i => i.Source == protocol && !i.Targeted && i.Eps == eps)?.Values.Select(v => v ? 1.0 : 0.0).ToArray();

    /// <summary>Per attacked image, the share of ε &gt; 0 at which it survived the worst case; null when not measured.</summary>
    public double[]? RobustOverEps(RunResult run, string protocol)
    {
        var perEps = ImagesOf(run).Where(i => i.Source == protocol && !i.Targeted && i.Eps > 0).OrderBy(i => i.Eps).Select(i => i.Values).ToArray();
        return perEps.Length == 0 ? null : Enumerable.Range(0, perEps[0].Length).Select(image => perEps.Average(e => e[image] ? 1.0 : 0.0)).ToArray();
    }

    private ILookup<(string RunId, string Protocol), StudyStore.ImageDistances>? _distances;

    /// <summary>
    /// Per sweep image of <paramref name="run"/> in <paramref name="protocol"/>, the smallest fooling distance any of its
    /// untargeted minimum-norm attacks found (0 for an image misclassified before the attack, null where none was found);
    /// null when the sweep ran no minimum-norm attack.
    /// </summary>
    public double?[]? MinimalDistance(RunResult run, string protocol)
    {
        var series = (_distances ??= Store.Distances().ToLookup(d => (d.RunId, d.Protocol)))[(run.Id, protocol)].Where(d => !d.Targeted).ToArray();
        if (series.Length == 0 || series.Any(s => s.Distances.Length != series[0].Distances.Length)) return null;
        // Min over nullable values skips the nulls, and is null when all are.
        return Enumerable.Range(0, series[0].Distances.Length).Select(i => series.Select(s => s.Distances[i]).Min()).ToArray();
    }

    /// <summary>
    /// Per sweep image, its share of the area under R(ε) from 0 to <paramref name="upTo"/>: min(d, upTo)/upTo for its
    /// smallest fooling distance d (1 where none was found); their mean is the area divided by <paramref name="upTo"/>.
    /// Null when the sweep ran no minimum-norm attack.
    /// </summary>
    public double[]? AreaUpTo(RunResult run, string protocol, double upTo) =>
        MinimalDistance(run, protocol)?.Select(d => Math.Min(d ?? upTo, upTo) / upTo).ToArray();

    private IEnumerable<StudyStore.ImageResult> ImagesOf(RunResult run) => (_byRun ??= Images.ToLookup(i => i.RunId))[run.Id];

    /// <summary>
    /// A kind's per-seed vectors in one group of runs, in the order of the seeds' values (with the seeds), so that two
    /// kinds' rows pair by seed value; null when a run lacks them or they differ in length.
    /// </summary>
    public (int[] Seeds, double[][] Values)? PerSeed(IEnumerable<RunResult> group, string label, Func<RunResult, double[]?> values)
    {
        var (runs, rows) = BySeed(group, label, values);
        if (rows.Length == 0 || rows.Any(r => r is null) || rows.Any(r => r!.Length != rows[0]!.Length)) return null;
        return (runs.Select(r => r.Seed).ToArray(), rows.Select(r => r!).ToArray());
    }

    /// <summary>
    /// The one place runs are gathered by seed: a label's runs in a group, one per seed value in ascending order, with each
    /// run's vector (null where the run lacks it). Everything that pairs two arms pairs these by seed value.
    /// </summary>
    public static (RunResult[] Runs, double[]?[] Values) BySeed(IEnumerable<RunResult> group, string label, Func<RunResult, double[]?> values)
    {
        RunResult[] runs = group.Where(r => r.Label == label).GroupBy(r => r.Seed).Select(g => g.First()).OrderBy(r => r.Seed).ToArray();
        return (runs, runs.Select(values).ToArray());
    }

    /// <summary>How many ε &gt; 0 a protocol's per-image results hold (the standard L∞ protocol's unless named).</summary>
    public int StandardGridSize(string? protocol = null) =>
        Images.Where(i => i.Source == (protocol ?? Evaluation.AttackProtocol.Standard.Name) && !i.Targeted && i.Eps > 0).Select(i => i.Eps).Distinct().Count();

    /// <summary>A protocol's ε nearest <paramref name="eps"/> (within 1e-6) among its per-image results (the standard L∞ protocol's unless named); null when its grid lacks it.</summary>
    public double? StandardGridHas(double eps, string? protocol = null) =>
        Images.Where(i => i.Source == (protocol ?? Evaluation.AttackProtocol.Standard.Name) && !i.Targeted && Math.Abs(i.Eps - eps) < 1e-6).Select(i => (double?)i.Eps).FirstOrDefault();

    private IReadOnlyList<(string RunId, string Protocol, Evaluation.AttackCheck Check)>? _checks;
    private IReadOnlyDictionary<(string RunId, string Protocol), int>? _classes;

    /// <summary>Every run's masking checks that ran, read once.</summary>
    public IReadOnlyList<(string RunId, string Protocol, Evaluation.AttackCheck Check)> Checks => _checks ??= Store.RunChecks();

    /// <summary>Per run and protocol, the attacked classifier's number of classes, read once.</summary>
    public IReadOnlyDictionary<(string RunId, string Protocol), int> SweepClasses => _classes ??= Store.SweepClasses();

    /// <summary>Every run's gradient-masking flags, read once.</summary>
    public IReadOnlyList<(string RunId, string Protocol, Evaluation.AttackFlag Flag)> Flags => _flags ??= Store.RunFlags();
}
