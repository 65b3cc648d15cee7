using System.Diagnostics;
using LabelRep.Evaluation;

namespace LabelRep.Studies.Executors;

/// <summary>
/// Everything an executor needs to run a study's cells: the study folder (where the resolved spec is written as
/// spec.json), the spec, the device, what to show, and how to start a worker process (the CLI knows its own command
/// line; the library does not).
/// </summary>
/// <param name="Worker">The command line of one worker: `labelrep study --spec DIR/spec.json --out DIR --worker --threads T`.</param>
public sealed record StudyJob(string Dir, StudySpec Spec, string Device, IStudyObserver? Observer, Func<AttackReport, byte[]>? AttackPlot,
    Func<int, ProcessStartInfo> Worker)
{
    public string SpecPath => Path.Combine(Dir, "spec.json");
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
