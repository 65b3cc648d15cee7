using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using LabelRep.Data;
using LabelRep.Native;
using LabelRep.Reporting;
using LabelRep.Studies;
using LabelRep.Studies.Executors;

namespace LabelRep.Cli.Commands;

/// <summary>
/// <c>labelrep study status | collect | cell | plan</c>: a study's cells where they are, results.db from the run folders,
/// one cell (what a Slurm array task runs), and the wall-time estimate of a grid on a cluster.
/// </summary>
public static class StudyClusterCommands
{
    public static IEnumerable<Command> All() => new[] { Status(), Collect(), Cell(), Plan() };

    private static Option<string> StudyOption() => new("--study") { Description = "the study folder", Required = true };

    /// <summary>The spec a study folder was run with: spec.json beside its results.</summary>
    private static StudySpec SpecOf(string dir)
    {
        string path = Path.Combine(dir, "spec.json");
        if (!Path.Exists(path)) throw new LabelRepException($"{dir}: no spec.json; give the folder of a 'labelrep study' run");
        return StudySpec.Read(path);
    }

    private static Command Status()
    {
        var study = StudyOption();
        var command = new Command("status", "Each cell of a study: done, running, pending, failed (with the end of its log), or not submitted");
        command.Options.Add(study);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            string dir = Path.GetFullPath(r.GetValue(study)!);
            var cells = Executors.Of(dir).Status(dir, SpecOf(dir));
            Tables.Print(new[] { "cell", "run", "state", "detail" }, cells.Select(c => new[] { c.Index.ToString(CultureInfo.InvariantCulture), c.Name, c.State, c.Detail }), textColumns: 4);
            Console.WriteLine(string.Join(", ", cells.GroupBy(c => c.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}")));
            return 0;
        }));
        return command;
    }

    private static Command Collect()
    {
        var study = StudyOption();
        var command = new Command("collect", "Build results.db and the report from the study's run folders (what the Slurm executor's last job runs)");
        command.Options.Add(study);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            string dir = Path.GetFullPath(r.GetValue(study)!);
            var (done, cells) = StudyCollect.Run(dir, SpecOf(dir), cancel);
            using var store = StudyCommands.OpenStore(dir);
            StudyReport.Write(dir, store);
            Console.WriteLine($"{done} of {cells} cells collected into {StudyRunner.DatabasePath(dir)}; report: {Path.Combine(dir, "report.html")}");
            return 0;
        }));
        return command;
    }

    private static Command Cell()
    {
        var study = StudyOption();
        var index = new Option<int>("--index") { Description = "the cell's index in the grid (a Slurm array task's id)", Required = true };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0: libtorch's default)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = $"device: {string.Join(", ", DeviceSelector.Names)}", DefaultValueFactory = _ => "auto" };
        var command = new Command("cell", "Run one cell of a study into its run folder (what a Slurm array task runs); SIGUSR1 or SIGTERM checkpoint it and stop");
        foreach (Option o in new Option[] { study, index, threads, device }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            string dir = Path.GetFullPath(r.GetValue(study)!);
            StudySpec spec = SpecOf(dir);
            TorchRuntime.SetThreads(r.GetValue(threads));
            // Slurm's warning before the time limit (SIGUSR1, passed on by the batch script) and scancel's SIGTERM: checkpoint and stop.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var usr1 = PosixSignalRegistration.Create((PosixSignal)10, c => { c.Cancel = true; stop.Cancel(); });
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            // The grid's epochs depend on the datasets' sizes (its order and datasets do not): the cell's own dataset is
            // read once, for both.
            int i = r.GetValue(index);
            IReadOnlyList<StudyRun> order = spec.Runs();
            var (grid, kept) = StudyCollect.Grid(spec, keep: i >= 0 && i < order.Count ? order[i].Config.Dataset : null);
            using DatasetSplits? data = kept;
            var cell = new StudyCell(dir, spec, grid, i);
            cell.Execute(data!, r.GetValue(device)!, r.GetValue(threads), new StudyCommands.ConsoleObserver(), AttackPlot.Png, stop.Token);
            Console.WriteLine($"{cell.Name}: done");
            return 0;
        }));
        return command;
    }

    private static Command Plan()
    {
        var preset = new Option<string?>("--preset") { Description = $"a built-in study: {string.Join(", ", StudySpec.PresetNames)}" };
        var spec = new Option<string?>("--spec") { Description = "a study spec file" };
        var workers = new Option<int[]>("--workers") { Description = "workers (GPUs or nodes) to estimate for; repeatable (default 8, 32, 128)", AllowMultipleArgumentsPerToken = true };
        var speedup = new Option<double>("--gpu-speedup") { Description = "how much faster a worker is than this machine's CPU", DefaultValueFactory = _ => 1.0 };
        var command = new Command("plan", "Estimate a grid's wall time on K workers from this machine's measured step times and the attack budgets");
        foreach (Option o in new Option[] { preset, spec, workers, speedup }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            if ((r.GetValue(preset) == null) == (r.GetValue(spec) == null))
                throw new LabelRepException($"give either --preset ({string.Join(", ", StudySpec.PresetNames)}) or --spec FILE");
            StudySpec s = r.GetValue(preset) is { } p ? StudySpec.Preset(p) : StudySpec.Read(r.GetValue(spec)!);
            double factor = r.GetValue(speedup);
            if (!(factor > 0) || double.IsInfinity(factor)) throw new LabelRepException($"--gpu-speedup {factor}: must be a positive number");
            int[] k = r.GetValue(workers) is { Length: > 0 } w ? w : new[] { 8, 32, 128 };
            if (k.Any(x => x < 1)) throw new LabelRepException("--workers: must be at least 1");
            var plan = StudyPlan.Estimate(s, message => Console.WriteLine(message), cancel);
            Console.WriteLine($"{plan.Cells.Count} cells; {plan.TotalHours:F0} hours of work on this machine's CPU, {plan.TotalHours / factor:F1} at a speed-up of {factor:0.##}");
            foreach (int n in k)
                Console.WriteLine($"  on {n} worker(s): about {Duration(plan.Makespan(n) / factor)} (the longest cell alone: {Duration(plan.LongestHours / factor)})");
            return 0;
        }));
        return command;
    }

    private static string Duration(double hours) => hours >= 48 ? $"{hours / 24:F1} days" : hours >= 1 ? $"{hours:F1} hours" : $"{hours * 60:F0} minutes";
}
