using System.Diagnostics;
using LabelRep.IO;

namespace LabelRep.Studies.Executors;

/// <summary>
/// Runs a study on this machine: <see cref="Parallel"/> cells at once, each with <see cref="Threads"/> intra-op threads.
/// One cell at a time runs in this process; more start that many worker processes with the study's command line, which
/// claim cells from results.db one at a time, while this process only shows their lines (prefixed with their number)
/// and waits. A cell whose transfer source is still training waits for it, so the results equal a sequential run's with
/// the same threads per cell.
/// </summary>
/// <remarks>
/// Why this process computes nothing while workers run: reading their output allocates on thread-pool threads, so
/// garbage collections would happen while this process's own cell is inside libtorch. TorchSharp passes the native
/// handles of temporary scalars (and of tensors outside a dispose scope) without keeping their owners alive, and the
/// finalizer thread could free one mid-call: a crash that needs no bug of ours (reproduced in a stress loop).
/// </remarks>
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

    /// <summary>Runs the cells; returns the cells that failed in this process, or (with workers) the workers that ended abnormally.</summary>
    public int Execute(StudyJob job, CancellationToken cancel)
    {
        job.WriteSpec();
        var workers = new List<Process>();
        try
        {
            job.Observer?.Message($"{Parallel} cell(s) at once, {Threads} thread(s) each");
            var runner = new StudyRunner(job.Dir, job.Spec, job.Device, job.Observer, job.AttackPlot, Threads);
            if (Parallel == 1) return runner.Run(cancel);
            runner.Prepare(cancel); // bad input (another spec, no dataset) fails here, before any worker starts
            int failed = 0;
            for (int w = 1; w <= Parallel; w++)
            {
                var info = job.Worker(Threads);
                info.Environment[Native.ProcessLinks.ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
            for (int i = 0; i < workers.Count; i++)
            {
                Process worker = workers[i];
                while (!worker.WaitForExit(500)) cancel.ThrowIfCancellationRequested();
                worker.WaitForExit();
                // 1: some of the worker's cells failed, and the database says which; anything else ended the worker itself.
                if (worker.ExitCode is not (0 or 1))
                {
                    failed++;
                    job.Observer?.Message($"worker {i + 1} ended with exit code {worker.ExitCode}; rerun the study to finish its cells");
                }
            }
            return failed;
        }
        finally
        {
            // Stopped (Ctrl-C, SIGTERM, SIGHUP): each worker is asked to stop too, saves what it finished, and is killed if it
            // has not ended within 10 s. A parent killed outright takes its workers along through their death signal.
            if (cancel.IsCancellationRequested)
                foreach (Process worker in workers.Where(w => !w.HasExited))
                    Native.ProcessLinks.Terminate(worker.Id);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            foreach (Process worker in workers)
            {
                if (cancel.IsCancellationRequested && !worker.WaitForExit(Math.Max(0, (int)(deadline - DateTime.UtcNow).TotalMilliseconds)))
                    worker.Kill(entireProcessTree: true);
                worker.Dispose();
            }
        }
    }
}

/// <summary>"local": the cells on this machine, <c>--parallel</c> at once with <c>--threads</c> each.</summary>
public sealed class LocalExecutorRecipe : IExecutorRecipe
{
    public string Name => "local";
    public string Description => "this machine: cells at once in worker processes (the default)";
    public bool RunsHere => true;

    public IReadOnlyList<ExecutorOption> Options { get; } = new[]
    {
        new ExecutorOption("parallel", "local: cells at once on this machine, each in its own process (default: one per core on a CPU, as memory allows; 1 on a GPU)", ExecutorOptionKind.WholeNumber),
        new ExecutorOption("threads", "local: CPU threads of each cell (default: the cores divided by --parallel)", ExecutorOptionKind.WholeNumber),
    };

    /// <summary>--parallel and --threads, or this machine's defaults; the calling process computes with the cell's threads.</summary>
    public IStudyExecutor Create(ExecutorArguments arguments, string device)
    {
        var (autoParallel, autoThreads) = LocalExecutor.Default(device);
        int? parallel = arguments.Whole("parallel"), threads = arguments.Whole("threads");
        if (threads is < 0 or > 1024) throw new LabelRepException($"--threads {threads}: must be from 0 (libtorch's default) to 1,024");
        int cells = parallel ?? autoParallel;
        int perCell = threads ?? (parallel is { } n ? Math.Max(1, Environment.ProcessorCount / Math.Max(1, n)) : autoThreads);
        Native.TorchRuntime.SetThreads(perCell);
        return new LocalExecutor(cells, perCell);
    }

    /// <summary>Every study has a local side: its run folders.</summary>
    public bool Ran(string dir) => true;

    /// <summary>Each cell as its run folder shows it: done, stopped with a checkpoint, or not started.</summary>
    public IReadOnlyList<CellStatus> Status(string dir, StudySpec spec)
    {
        IReadOnlyList<StudyRun> grid = StudyCollect.Grid(spec);
        var result = new List<CellStatus>();
        for (int i = 0; i < grid.Count; i++)
        {
            var cell = new StudyCell(dir, spec, grid, i);
            bool checkpoint = File.Exists(cell.Folder.CheckpointPath);
            result.Add(cell.IsComplete ? new(i, cell.Name, "done", "")
                : checkpoint ? new(i, cell.Name, "stopped", "has a checkpoint; rerun the study to continue it")
                : new(i, cell.Name, "not started", ""));
        }
        return result;
    }
}
