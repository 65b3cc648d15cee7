using System.ComponentModel;
using System.Diagnostics;
using LabelRep.IO;

namespace LabelRep.Studies.Executors;

/// <summary>Where one cell of a study stands.</summary>
/// <param name="Detail">For a failed cell, the last lines of its log; else what is known (a job id, a checkpoint).</param>
public sealed record CellStatus(int Index, string Name, string State, string Detail);

/// <summary>
/// A study's cells as the run folders and the cluster see them: done (its folder is complete), running or pending
/// (squeue), failed (its task ended with an error, or vanished from the queue without a word: killed, node failure),
/// or not submitted. Works for local studies too (then only the folders speak).
/// </summary>
public static class SlurmStatus
{
    public static IReadOnlyList<CellStatus> Of(string dir, StudySpec spec)
    {
        IReadOnlyList<StudyRun> grid = StudyCollect.Grid(spec);
        var queue = Squeue(dir);
        var submitted = Submitted(dir);
        var result = new List<CellStatus>();
        for (int i = 0; i < grid.Count; i++)
        {
            var cell = new StudyCell(dir, spec, grid, i);
            string exitFile = Path.Combine(dir, "slurm", "status", $"cell-{i}.exit");
            string log = Path.Combine(dir, "slurm", "logs", $"cell-{i}.out");
            if (cell.IsComplete) result.Add(new(i, cell.Name, "done", ""));
            else if (queue.TryGetValue(i, out var q)) result.Add(new(i, cell.Name, q.State == "PENDING" ? "pending" : "running", $"job {q.Job}"));
            else if (File.Exists(exitFile) && File.ReadAllText(exitFile).Trim() != "0") result.Add(new(i, cell.Name, "failed", Tail(log)));
            else if (submitted.Contains(i)) result.Add(new(i, cell.Name, "failed", "left the queue without finishing (cancelled, killed or its node failed): " + Tail(log)));
            else result.Add(new(i, cell.Name, File.Exists(cell.Folder.CheckpointPath) ? "stopped" : "not submitted", File.Exists(cell.Folder.CheckpointPath) ? "has a checkpoint" : ""));
        }
        return result;
    }

    /// <summary>Cells of this study waiting or running in the queue, with their array job's id.</summary>
    public static Dictionary<int, string> Queued(string dir) => Squeue(dir).ToDictionary(kv => kv.Key, kv => kv.Value.Job);

    private static Dictionary<int, (string Job, string State)> Squeue(string dir)
    {
        var jobs = new HashSet<string>(SubmittedJobs(dir));
        var result = new Dictionary<int, (string, string)>();
        if (jobs.Count == 0) return result;
        var (code, output, _) = Run("squeue", new[] { "--noheader", "--array", "--format=%i|%T", "--jobs", string.Join(",", jobs) });
        if (code != 0) return result; // the jobs are gone from the queue (squeue says "Invalid job id" for finished ones)
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Trim().Split('|');
            string[] id = parts[0].Split('_');
            if (parts.Length == 2 && id.Length == 2 && int.TryParse(id[1], out int cell) && parts[1] is "PENDING" or "RUNNING" or "CONFIGURING" or "REQUEUED" or "COMPLETING" or "SUSPENDED")
                result[cell] = (id[0], parts[1] is "PENDING" or "REQUEUED" ? "PENDING" : "RUNNING");
        }
        return result;
    }

    private static IEnumerable<string> SubmittedJobs(string dir) =>
        Path.Exists(SlurmExecutor.SubmittedPath(dir))
            ? JsonFile.Read<List<SlurmSubmission>>(SlurmExecutor.SubmittedPath(dir), "Slurm submission record", Runs.TrainConfig.Json).Select(s => s.JobId)
            : Array.Empty<string>();

    private static HashSet<int> Submitted(string dir) =>
        Path.Exists(SlurmExecutor.SubmittedPath(dir))
            ? JsonFile.Read<List<SlurmSubmission>>(SlurmExecutor.SubmittedPath(dir), "Slurm submission record", Runs.TrainConfig.Json).SelectMany(s => s.Cells).ToHashSet()
            : new HashSet<int>();

    private static string Tail(string log)
    {
        if (!File.Exists(log)) return "(no log)";
        var lines = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).TakeLast(3);
        return string.Join(" | ", lines);
    }

    /// <summary>Runs a Slurm client command and returns its exit code and output; a missing command is a clear error.</summary>
    public static (int Code, string Output, string Error) Run(string command, string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            Task<string> output = p.StandardOutput.ReadToEndAsync(), error = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(2))) p.Kill(true);
            return (p.ExitCode, output.Result, error.Result);
        }
        catch (Win32Exception)
        {
            throw new LabelRepException($"{command} not found: the Slurm client commands must be on PATH (apt-get install -y slurm-client) to use --executor slurm");
        }
    }
}
