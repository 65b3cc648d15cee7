using System.Diagnostics;
using LabelRep.IO;

namespace LabelRep.Studies.Executors;

/// <summary>
/// Runs a study on this machine: <see cref="Parallel"/> processes at once (this one and Parallel − 1 workers started
/// with the study's command line), each with <see cref="Threads"/> intra-op threads, claiming cells from results.db one
/// at a time. A cell whose transfer source is still training waits for it, so the results equal a sequential run's with
/// the same threads per cell. Workers' lines are shown prefixed with their number.
/// </summary>
public sealed class LocalExecutor : IStudyExecutor
{
    public LocalExecutor(int parallel, int threads)
    {
        if (parallel is < 1 or > 256) throw new LabelRepException($"--parallel {parallel}: must be from 1 to 256");
        Parallel = parallel;
        Threads = threads;
    }

    public string Name => "local";
    public int Parallel { get; }
    public int Threads { get; }

    /// <summary>
    /// Cells at once and threads per cell for this machine: one single-threaded cell per core on a CPU (two single-thread
    /// cells did more work than one two-thread cell here, see bench/parallel_cells.sh), bounded by memory at about 2 GB a
    /// cell; one cell with every thread on a GPU.
    /// </summary>
    public static (int Parallel, int Threads) Default(string device)
    {
        int cores = Environment.ProcessorCount;
        if (device == "cuda") return (1, 0);
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        int byMemory = (int)Math.Max(1, memory / (2L << 30));
        int parallel = Math.Max(1, Math.Min(cores, byMemory));
        return (parallel, Math.Max(1, cores / parallel));
    }

    public int Execute(StudyJob job, CancellationToken cancel)
    {
        Directory.CreateDirectory(job.Dir);
        AtomicFile.WriteText(job.SpecPath, job.Spec.ToJson());
        var workers = new List<Process>();
        try
        {
            for (int w = 2; w <= Parallel; w++)
            {
                var info = job.Worker(w);
                info.RedirectStandardOutput = true;
                info.RedirectStandardError = true;
                info.UseShellExecute = false;
                var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                string prefix = $"[worker {w}] ";
                process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) job.Observer?.Message(prefix + line); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) job.Observer?.Message(prefix + line); };
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                workers.Add(process);
            }
            int failed = new StudyRunner(job.Dir, job.Spec, job.Device, job.Observer, job.AttackPlot, Threads).Run(cancel);
            foreach (Process worker in workers)
            {
                while (!worker.WaitForExit(500)) cancel.ThrowIfCancellationRequested();
                worker.WaitForExit();
                if (worker.ExitCode is not (0 or 1)) failed++; // 1: the worker's own cells failed, and the database says which
            }
            return failed;
        }
        finally
        {
            foreach (Process worker in workers)
            {
                if (!worker.HasExited && cancel.IsCancellationRequested) worker.Kill(entireProcessTree: true);
                worker.Dispose();
            }
        }
    }
}
