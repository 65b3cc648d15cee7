using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelRep.IO;
using LabelRep.Labels;

namespace LabelRep.Studies.Executors;

/// <summary>What a Slurm submission asks for (sbatch's options), with --max-parallel as the array's % limit.</summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    public string? Gres { get; init; }
    public int? CpusPerTask { get; init; }
    /// <summary>Walltime per cell, as sbatch takes it (HH:MM:SS or minutes).</summary>
    public string? Time { get; init; }
    public int? MaxParallel { get; init; }
    /// <summary>Seconds before the time limit at which a cell is told to checkpoint and requeue itself.</summary>
    public int WarningSeconds { get; init; } = 120;
    public IReadOnlyList<string> ExtraArgs { get; init; } = Array.Empty<string>();
}

/// <summary>
/// Runs a study on a Slurm cluster: the grid's cells as job arrays (one task per cell), the baseline cells first and the
/// others depending on them (their transfer attacks need the baseline runs), then a collect job that builds results.db
/// and the report from the run folders. Cells write only their own run folders (safe on NFS or Lustre, where SQLite's
/// locking is not). Before the time limit Slurm sends the batch script SIGUSR1; the script passes it on, the cell saves
/// a checkpoint of the epoch in progress and the task requeues itself. Rerunning the submission submits only the cells
/// not done and not already queued. The commands and files it makes are in STUDY/slurm/.
/// </summary>
public sealed partial class SlurmExecutor : IStudyExecutor
{
    private readonly SlurmOptions _options;

    public SlurmExecutor(SlurmOptions options)
    {
        if (options.MaxParallel is < 1) throw new LabelRepException($"--max-parallel {options.MaxParallel}: must be at least 1");
        if (options.CpusPerTask is < 1) throw new LabelRepException($"--cpus-per-task {options.CpusPerTask}: must be at least 1");
        if (options.WarningSeconds is < 10 or > 86400) throw new LabelRepException($"--signal-seconds {options.WarningSeconds}: must be from 10 to 86,400");
        // A warning at or before the start would make every cell checkpoint and requeue as soon as it begins, forever.
        if (options.Time != null && TimeLimitSeconds(options.Time) is { } limit && options.WarningSeconds >= limit)
            throw new LabelRepException($"--signal-seconds {options.WarningSeconds}: must be shorter than --time {options.Time} ({limit} s), or a cell would requeue as soon as it starts");
        _options = options;
    }

    /// <summary>
    /// sbatch's --time in seconds: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS; null for UNLIMITED or INFINITE.
    /// Anything else is a <see cref="LabelRepException"/> before a job is submitted.
    /// </summary>
    public static long? TimeLimitSeconds(string time)
    {
        if (time is "UNLIMITED" or "INFINITE") return null;
        Match m = SlurmTime().Match(time);
        if (!m.Success)
            throw new LabelRepException($"--time '{time}': give it as sbatch takes it: minutes, HH:MM:SS or D-HH:MM:SS (e.g. 04:00:00 or 1-12:00:00)");
        long[] parts = m.Groups["rest"].Value.Split(':').Select(long.Parse).ToArray();
        if (parts.Skip(1).Any(v => v >= 60))
            throw new LabelRepException($"--time '{time}': minutes and seconds after the first field must be below 60");
        // What each field counts: after "D-" hours come first; without days one field is minutes, two are MM:SS.
        bool days = m.Groups["days"].Success;
        long[] units = days || parts.Length == 3 ? new[] { 3600L, 60L, 1L } : new[] { 60L, 1L };
        long seconds = (days ? long.Parse(m.Groups["days"].Value) * 86400 : 0) + parts.Zip(units, (v, u) => v * u).Sum();
        if (seconds <= 0) throw new LabelRepException($"--time '{time}': must be longer than zero");
        return seconds;
    }

    [GeneratedRegex(@"^(?:(?<days>\d{1,4})-)?(?<rest>\d{1,6}(?::\d{1,2}){0,2})$")]
    private static partial Regex SlurmTime();

    public string Name => "slurm";

    /// <summary>The file the job ids of every submission are kept in.</summary>
    public static string SubmittedPath(string dir) => Path.Combine(dir, "slurm", "submitted.json");

    public int Execute(StudyJob job, CancellationToken cancel)
    {
        string dir = job.Dir;
        // The scripts are made first, so a value no #SBATCH line can hold is refused before anything is written.
        string command = Command(job.Worker(0));
        string cellScript = CellScript(dir, job.Spec, command), collectScript = CollectScript(dir, job.Spec, command);
        job.WriteSpec();
        Directory.CreateDirectory(Path.Combine(dir, "slurm", "logs"));
        IReadOnlyList<StudyRun> grid = StudyCollect.Grid(job.Spec);
        var queued = SlurmStatus.Queued(dir);
        var toRun = Enumerable.Range(0, grid.Count)
            .Where(i => !new StudyCell(dir, job.Spec, grid, i).IsComplete && !queued.ContainsKey(i)).ToArray();
        if (toRun.Length == 0)
        {
            job.Observer?.Message($"every cell of the study is done or queued ({queued.Count} queued); 'labelrep study status --study {dir}' shows them");
            return 0;
        }
        string cells = WriteScript(dir, "cells.sbatch", cellScript);
        string collect = WriteScript(dir, "collect.sbatch", collectScript);
        int[] baseline = toRun.Where(i => LabelKinds.IsBaseline(grid[i].Config.Label)).ToArray();
        int[] others = toRun.Except(baseline).ToArray();
        var submitted = new List<(string Role, string Id, int[] Cells)>();
        string? baselineJob = baseline.Length > 0 ? Submit(Array(baseline, cells, dependency: null)) : null;
        if (baselineJob != null) submitted.Add(("baseline cells", baselineJob, baseline));
        // The others' transfer attacks need the baseline runs: they wait for the whole baseline array (ended in any state).
        var waitFor = new[] { baselineJob }.Concat(queued.Where(kv => LabelKinds.IsBaseline(grid[kv.Key].Config.Label)).Select(kv => kv.Value))
            .OfType<string>().Distinct().ToArray();
        string? othersJob = others.Length > 0 ? Submit(Array(others, cells, waitFor.Length > 0 ? "afterany:" + string.Join(":", waitFor) : null)) : null;
        if (othersJob != null) submitted.Add(("cells", othersJob, others));
        var all = submitted.Select(s => s.Id).Concat(queued.Values).Distinct().ToArray();
        string collectJob = Submit(new[] { $"--dependency=afterany:{string.Join(":", all)}", "--job-name", $"labelrep-{job.Spec.Name}-collect",
            "--output", Path.Combine(dir, "slurm", "logs", "collect-%j.out"), collect });
        submitted.Add(("collect", collectJob, System.Array.Empty<int>()));
        Record(dir, submitted);
        foreach (var (role, id, which) in submitted)
            job.Observer?.Message($"submitted job {id}: {role}{(which.Length > 0 ? $" ({which.Length} task(s))" : "")}");
        job.Observer?.Message($"follow it with 'squeue -j {string.Join(",", submitted.Select(s => s.Id))}' or 'labelrep study status --study {dir}'; " +
                              $"results.db and the report come with job {collectJob}");
        return 0;
    }

    private string[] Array(int[] which, string script, string? dependency)
    {
        var args = new List<string>
        {
            "--array", Ranges(which) + (_options.MaxParallel is { } k ? $"%{k}" : ""),
            "--job-name", "labelrep-" + Path.GetFileNameWithoutExtension(script),
        };
        if (dependency != null) args.Add($"--dependency={dependency}");
        args.Add(script);
        return args.ToArray();
    }

    /// <summary>"0-3,7,9-10": the array indices sbatch takes.</summary>
    internal static string Ranges(IEnumerable<int> values)
    {
        var sorted = values.Distinct().OrderBy(v => v).ToArray();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    private string Submit(string[] args)
    {
        var (code, output, error) = SlurmStatus.Run("sbatch", new[] { "--parsable" }.Concat(args).ToArray());
        if (code != 0) throw new LabelRepException($"sbatch failed ({(error + output).Trim().Split('\n')[0]}); is Slurm running and SLURM_CONF set?");
        return output.Trim().Split(';')[0];
    }

    /// <summary>The shell command that runs this program (the CLI's own command line, without its arguments).</summary>
    private static string Command(ProcessStartInfo worker)
    {
        var parts = new List<string> { worker.FileName };
        foreach (string a in worker.ArgumentList)
        {
            if (a == "study") break;
            parts.Add(a);
        }
        return string.Join(" ", parts.Select(Quote));
    }

    internal static string Quote(string s) => "'" + s.Replace("'", "'\"'\"'") + "'";

    private string Header(string name, string output)
    {
        var h = new StringBuilder("#!/bin/bash\n");
        h.Append(Directive("--job-name", name, "the study's name")).Append(Directive("--output", output, "--out")).Append("#SBATCH --open-mode=append\n");
        if (_options.Partition != null) h.Append(Directive("--partition", _options.Partition, "--partition"));
        if (_options.Gres != null) h.Append(Directive("--gres", _options.Gres, "--gres"));
        if (_options.CpusPerTask is { } cpus) h.Append($"#SBATCH --cpus-per-task={cpus}\n");
        if (_options.Time != null) h.Append(Directive("--time", _options.Time, "--time"));
        foreach (string extra in _options.ExtraArgs)
        {
            RefuseLineBreak(extra, "--sbatch-arg");
            h.Append($"#SBATCH {extra}\n");
        }
        return h.ToString();
    }

    /// <summary>
    /// One #SBATCH line with its value in double quotes, '"' and '\' escaped, as sbatch reads a directive's argument
    /// (a space stays inside the value). A line break cannot be written into a directive: it is refused.
    /// </summary>
    internal static string Directive(string option, string value, string source)
    {
        RefuseLineBreak(value, source);
        return $"#SBATCH {option}=\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"\n";
    }

    private static void RefuseLineBreak(string value, string source)
    {
        if (value.IndexOfAny(new[] { '\n', '\r' }) >= 0)
            throw new LabelRepException($"{source} '{value.ReplaceLineEndings(" ")}': a line break cannot be written into a Slurm script's #SBATCH line; use a path or name without one");
    }

    private string CellScript(string dir, StudySpec spec, string command)
    {
        string logs = Path.Combine(dir, "slurm", "logs");
        string status = Path.Combine(dir, "slurm", "status");
        int threads = _options.CpusPerTask ?? 0;
        return Header($"labelrep-{spec.Name}", Path.Combine(logs, "cell-%a.out")) +
               $"#SBATCH --signal=B:USR1@{_options.WarningSeconds}\n#SBATCH --requeue\n" +
               $$"""
               # One cell of the study's grid per array task; it writes only its own run folder.
               # The trap comes first: a warning that arrives before the cell has started still requeues the task.
               set -u
               cell=${SLURM_ARRAY_TASK_ID}
               child=""
               requeue() {
                 echo "labelrep: time limit or preemption ahead: checkpointing cell $cell and requeueing it"
                 if [ -n "$child" ]; then
                   kill -USR1 "$child" 2>/dev/null
                   wait "$child"
                 fi
                 scontrol requeue "${SLURM_ARRAY_JOB_ID}_${cell}"
                 exit 0
               }
               trap requeue USR1
               mkdir -p {{Quote(status)}}
               echo "labelrep: cell $cell, job ${SLURM_ARRAY_JOB_ID}_${cell} on $(hostname) at $(date -u +%FT%TZ)"
               {{command}} study cell --study {{Quote(dir)}} --index "$cell" --threads {{threads}} &
               child=$!
               wait "$child"
               code=$?
               echo "$code" > {{Quote(status)}}/cell-$cell.exit
               exit "$code"

               """;
    }

    private string CollectScript(string dir, StudySpec spec, string command) =>
        Header($"labelrep-{spec.Name}-collect", Path.Combine(dir, "slurm", "logs", "collect-%j.out")) +
        $"""
         # Builds results.db and the report from the run folders, after every cell (done or not).
         {command} study collect --study {Quote(dir)}

         """;

    private static string WriteScript(string dir, string name, string text)
    {
        string path = Path.Combine(dir, "slurm", name);
        AtomicFile.WriteText(path, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    private static void Record(string dir, List<(string Role, string Id, int[] Cells)> submitted)
    {
        string path = SubmittedPath(dir);
        var history = Path.Exists(path)
            ? JsonFile.Read<List<SlurmSubmission>>(path, "Slurm submission record", Runs.TrainConfig.Json)
            : new List<SlurmSubmission>();
        string now = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        history.AddRange(submitted.Select(s => new SlurmSubmission(s.Id, s.Role, s.Cells, now)));
        AtomicFile.WriteText(path, JsonSerializer.Serialize(history, Runs.TrainConfig.Json));
    }
}

/// <summary>One sbatch submission: its job id, what it was for, its array's cells.</summary>
public sealed record SlurmSubmission(string JobId, string Role, int[] Cells, string SubmittedAt);

/// <summary>"slurm": the cells as Slurm job arrays, submitted from this machine (see <see cref="SlurmExecutor"/>).</summary>
public sealed class SlurmExecutorRecipe : IExecutorRecipe
{
    public string Name => "slurm";
    public string Description => "submit the cells as Slurm job arrays and return";
    public bool RunsHere => false;

    public IReadOnlyList<ExecutorOption> Options { get; } = new[]
    {
        new ExecutorOption("partition", "slurm: the partition to submit to"),
        new ExecutorOption("gres", "slurm: generic resources per cell, e.g. gpu:1"),
        new ExecutorOption("cpus-per-task", "slurm: CPUs per cell (also its threads)", ExecutorOptionKind.WholeNumber),
        new ExecutorOption("time", "slurm: walltime per cell (HH:MM:SS); a cell checkpoints and requeues itself before it"),
        new ExecutorOption("max-parallel", "slurm: cells running at once (the array's %K)", ExecutorOptionKind.WholeNumber),
        new ExecutorOption("signal-seconds", "slurm: seconds before the time limit at which a cell checkpoints and requeues (default 120)", ExecutorOptionKind.WholeNumber),
        new ExecutorOption("sbatch-arg", "slurm: one more sbatch option for every job (repeatable), e.g. --sbatch-arg=--account=lab", ExecutorOptionKind.TextList),
    };

    public IStudyExecutor Create(ExecutorArguments arguments, string device) => new SlurmExecutor(new SlurmOptions
    {
        Partition = arguments.Text("partition"), Gres = arguments.Text("gres"), CpusPerTask = arguments.Whole("cpus-per-task"), Time = arguments.Text("time"),
        MaxParallel = arguments.Whole("max-parallel"), WarningSeconds = arguments.Whole("signal-seconds") ?? 120, ExtraArgs = arguments.List("sbatch-arg"),
    });

    /// <summary>A submission leaves STUDY/slurm/submitted.json.</summary>
    public bool Ran(string dir) => File.Exists(SlurmExecutor.SubmittedPath(dir));

    public IReadOnlyList<CellStatus> Status(string dir, StudySpec spec) => SlurmStatus.Of(dir, spec);
}
