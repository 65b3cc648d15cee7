using System.Diagnostics;
using LabelRep.Evaluation;

namespace LabelRep.Studies.Executors;

/// <summary>
/// Everything an executor needs to run a study's cells: the study folder (where the resolved spec is written as
/// spec.json), the spec, the device, what to show, and how to start a worker process (the CLI knows its own command
/// line; the library does not).
/// </summary>
/// <param name="Worker">The command line of one worker with T threads per cell: `labelrep study --spec DIR/spec.json --out DIR --worker --threads T`
/// (an executor that only needs the program, as Slurm's does, passes 0).</param>
public sealed record StudyJob(string Dir, StudySpec Spec, string Device, IStudyObserver? Observer, Func<AttackReport, byte[]>? AttackPlot,
    Func<int, ProcessStartInfo> Worker)
{
    public string SpecPath => Path.Combine(Dir, "spec.json");

    /// <summary>
    /// What every executor does first: refuses a folder that holds another study (its spec.json, or the spec in its
    /// results.db), and only then writes spec.json, so a refused command leaves the folder exactly as it was.
    /// </summary>
    public void WriteSpec()
    {
        IO.OutputFolder.Create(Dir, "study");
        string json = Spec.ToJson();
        string? existing = File.Exists(SpecPath) ? IO.InputFile.ReadAllText(SpecPath, "study spec") : null;
        if (existing is null && File.Exists(StudyRunner.DatabasePath(Dir))) existing = StudyStore.SpecIn(StudyRunner.DatabasePath(Dir));
        StudyRunner.RefuseAnotherSpec(Dir, existing, json);
        IO.AtomicFile.WriteText(SpecPath, json);
    }
}

/// <summary>
/// Where a study's cells run. One file per executor behind this interface: the local one runs them here (in one or
/// several processes), a cluster one submits them. The grid, the cells and their identities are the spec's, whatever
/// the executor.
/// </summary>
public interface IStudyExecutor
{
    string Name { get; }

    /// <summary>Runs or submits the cells that are not done; returns the number that failed here (0 after a submission).</summary>
    int Execute(StudyJob job, CancellationToken cancel);
}

/// <summary>How an executor option's value is written on the command line.</summary>
public enum ExecutorOptionKind
{
    Text,
    WholeNumber,

    /// <summary>Repeatable: every occurrence is one value.</summary>
    TextList,
}

/// <summary>An option an executor takes (the CLI flag --NAME of <c>labelrep study</c>), declared by the executor itself.</summary>
public sealed record ExecutorOption(string Name, string Help, ExecutorOptionKind Kind = ExecutorOptionKind.Text);

/// <summary>The values a user gave for the executors' options, by name (absent when not given).</summary>
public sealed class ExecutorArguments
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _values;

    public ExecutorArguments(IReadOnlyDictionary<string, IReadOnlyList<string>> values) => _values = values;

    public static ExecutorArguments None { get; } = new(new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>The names given.</summary>
    public IEnumerable<string> Given => _values.Keys;

    public string? Text(string name) => _values.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    public IReadOnlyList<string> List(string name) => _values.TryGetValue(name, out var v) ? v : Array.Empty<string>();

    /// <summary>A whole number, read the same in every locale; one clear line when it is not one.</summary>
    public int? Whole(string name) =>
        Text(name) is not { } text ? null
        : int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value) ? value
        : throw new LabelRepException($"--{name} '{text}': must be a whole number");
}

/// <summary>
/// A way of running a study's cells, by name (<c>--executor NAME</c>): one small class beside its executor, found by
/// reflection. It declares its options (which become flags of <c>labelrep study</c>), makes its
/// <see cref="IStudyExecutor"/>, says whether the cells are done when it returns, and tells <c>study status</c> where
/// each cell stands. A new executor touches no CLI file.
/// </summary>
public interface IExecutorRecipe : IRegistered
{
    string Description { get; }

    IReadOnlyList<ExecutorOption> Options { get; }

    /// <summary>True when <see cref="IStudyExecutor.Execute"/> returns with every cell run (the caller then writes the report); false for a submission.</summary>
    bool RunsHere { get; }

    /// <summary>The executor for these option values on <paramref name="device"/>; one clear line on a bad value.</summary>
    IStudyExecutor Create(ExecutorArguments arguments, string device);

    /// <summary>Whether the study in <paramref name="dir"/> was run or submitted by this executor (for <c>study status</c>).</summary>
    bool Ran(string dir);

    /// <summary>Where each cell of the study in <paramref name="dir"/> stands.</summary>
    IReadOnlyList<CellStatus> Status(string dir, StudySpec spec);
}

/// <summary>Every executor: local first, then slurm, then any other by name.</summary>
public static class Executors
{
    public static Registry<IExecutorRecipe> Registry { get; } = new("executor", first: new[] { "local", "slurm" });

    /// <summary>Every executor's options, once per name (two executors may share one, e.g. threads).</summary>
    public static IReadOnlyList<ExecutorOption> Options =>
        Registry.All.SelectMany(e => e.Options).GroupBy(o => o.Name).Select(g => g.First()).ToArray();

    /// <summary>The executor that ran or submitted the study in <paramref name="dir"/> (the last in order that says so), else local.</summary>
    public static IExecutorRecipe Of(string dir) => Registry.All.LastOrDefault(e => e.Ran(dir)) ?? Registry.Get("local");

    /// <summary>Refuses options of other executors than <paramref name="executor"/>, naming whose they are.</summary>
    public static void CheckGiven(IExecutorRecipe executor, ExecutorArguments arguments)
    {
        foreach (string name in arguments.Given)
        {
            if (executor.Options.Any(o => o.Name == name)) continue;
            string owners = string.Join(", ", Registry.All.Where(e => e.Options.Any(o => o.Name == name)).Select(e => e.Name));
            throw new LabelRepException($"--{name} is an option of --executor {owners}, not of {executor.Name}");
        }
    }
}
