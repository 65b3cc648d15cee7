using System.CommandLine;
using System.Diagnostics;
using LabelRep.Evaluation;
using LabelRep.Native;
using LabelRep.Reporting;
using LabelRep.Runs;
using LabelRep.Studies;
using LabelRep.Studies.Executors;
using LabelRep.Training;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep study</c> and <c>labelrep report</c>: the experiment grid in one command, and its report from the database.</summary>
public static class StudyCommands
{
    public static Command Study()
    {
        var preset = new Option<string?>("--preset") { Description = $"a built-in study: {string.Join(", ", StudySpec.PresetNames)} (quick: the whole study in small, 5 seeds and an attack that meets the verdicts' gate, in about 10 minutes on 2 CPU cores)" };
        var spec = new Option<string?>("--spec") { Description = "a study spec file (.json, .yaml or .yml; snake_case keys as in 'labelrep study --preset quick --print-spec')" };
        var output = new Option<string?>("--out") { Description = "study folder (results.db, runs/, report.html); default studies/NAME" };
        var dataDir = new Option<string?>("--data-dir") { Description = "folder of the dataset files (overrides the spec)" };
        var device = new Option<string>("--device") { Description = $"device: {string.Join(", ", DeviceSelector.Names)}", DefaultValueFactory = _ => "auto" };
        var printSpec = new Option<bool>("--print-spec") { Description = "print the study's spec as JSON and exit" };
        var worker = new Option<bool>("--worker") { Description = "internal: run as one of --parallel's worker processes", Hidden = true };
        var executorName = new Option<string>("--executor")
        {
            Description = string.Join("; ", Executors.Registry.All.Select(e => $"{e.Name}: {e.Description}")), DefaultValueFactory = _ => Executors.Registry.Names[0],
        };
        // One flag per option the executors declare (IExecutorRecipe.Options).
        var executorOptions = Executors.Options.Select(o => (o.Name, Flag: o.Kind == ExecutorOptionKind.TextList
            ? (Option)new Option<string[]>("--" + o.Name) { Description = o.Help, AllowMultipleArgumentsPerToken = false }
            : new Option<string?>("--" + o.Name) { Description = o.Help })).ToArray();
        var labelsDir = new Option<string?>("--labels-dir") { Description = "train on the label banks in this folder, by the official repository's names (cifar10_speech.npy, cifar10_uniform.npy for constant, …) instead of generated ones" };
        var command = new Command("study", "Run a whole study (training, attacks, data efficiency, features) and write its report; rerun the same command to continue an interrupted one");
        foreach (Option o in new Option[] { preset, spec, output, dataDir, device, printSpec, labelsDir, worker, executorName }.Concat(executorOptions.Select(e => e.Flag)))
            command.Options.Add(o);
        foreach (Command sub in StudyClusterCommands.All()) command.Subcommands.Add(sub);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            if ((r.GetValue(preset) == null) == (r.GetValue(spec) == null))
                throw new LabelRepException($"give either --preset ({string.Join(", ", StudySpec.PresetNames)}) or --spec FILE");
            StudySpec s = r.GetValue(preset) is { } p ? StudySpec.Preset(p) : StudySpec.Read(r.GetValue(spec)!);
            if (r.GetValue(dataDir) is { } d) s = s with { DataDir = Path.GetFullPath(d) };
            if (r.GetValue(labelsDir) is { } l) s = s.WithLabelsDir(l);
            if (r.GetValue(printSpec))
            {
                Console.WriteLine(s.ToJson());
                return 0;
            }
            string dir = Path.GetFullPath(r.GetValue(output) ?? Path.Combine("studies", s.Name));
            string deviceName = r.GetValue(device)!;
            var given = new ExecutorArguments(executorOptions
                .Where(e => r.GetResult(e.Flag) is { Implicit: false })
                .ToDictionary(e => e.Name, e => e.Flag is Option<string[]> list ? (IReadOnlyList<string>)(r.GetValue(list) ?? Array.Empty<string>()) : new[] { r.GetValue((Option<string?>)e.Flag)! }));
            if (r.GetValue(worker))
            {
                // One of --parallel's workers: claim and run cells until none is left; the first process writes the report.
                // It ends with its parent: SIGTERM when the parent dies, and nothing at all if the parent is gone already.
                if (!ProcessLinks.DieWithParent()) return CliErrors.Interrupted;
                int workerThreads = given.Whole("threads") ?? 0;
                TorchRuntime.SetThreads(workerThreads);
                return new StudyRunner(dir, s, deviceName, new ConsoleObserver(), AttackPlot.Png, workerThreads).Run(cancel) > 0 ? 1 : 0;
            }
            IExecutorRecipe recipe = Executors.Registry.Get(r.GetValue(executorName)!);
            Executors.CheckGiven(recipe, given);
            IStudyExecutor executor = recipe.Create(given, deviceName);
            Console.WriteLine($"study '{s.Name}' in {dir}: {s.CellCount():N0} cell(s) (limit {s.MaxCells ?? StudySpec.DefaultMaxCells:N0}; 'labelrep study plan' estimates the time). {s.Description}");
            var clock = Stopwatch.StartNew();
            var job = new StudyJob(dir, s, deviceName, new ConsoleObserver(), AttackPlot.Png, threads => WorkerCommand(dir, deviceName, threads));
            int executorFailures = executor.Execute(job, cancel);
            if (!recipe.RunsHere) return 0;
            using var store = OpenStore(dir);
            StudyReport.Write(dir, store);
            int failed = store.RunStatus().Count(x => x.Status == "failed");
            Console.WriteLine($"finished in {clock.Elapsed.TotalMinutes:F1} min; report: {Path.Combine(dir, "report.html")}");
            if (failed > 0) Console.Error.WriteLine($"{failed} run(s) failed; see the report's status and rerun to retry them");
            else if (executorFailures > 0) Console.Error.WriteLine($"{executorFailures} worker process(es) ended abnormally (above); rerun the same command to finish the study");
            return failed > 0 || executorFailures > 0 ? 1 : 0;
        }));
        return command;
    }

    /// <summary>The command line of a worker process: this program, on the study's resolved spec.</summary>
    private static ProcessStartInfo WorkerCommand(string dir, string device, int threads)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet");
        if (Path.GetFileNameWithoutExtension(info.FileName) == "dotnet") info.ArgumentList.Add(typeof(StudyCommands).Assembly.Location);
        foreach (string a in new[] { "study", "--spec", Path.Combine(dir, "spec.json"), "--out", dir, "--device", device, "--threads", threads.ToString(), "--worker" })
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        return info;
    }

    public static Command Report()
    {
        var study = new Option<string>("--study") { Description = "a study folder (with results.db)", Required = true };
        var command = new Command("report", "Rewrite a study's report (report.html, report.md, PNGs) from its results.db alone");
        command.Options.Add(study);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            string dir = Path.GetFullPath(r.GetValue(study)!);
            using var store = OpenStore(dir);
            StudyReport.Write(dir, store);
            Console.WriteLine($"wrote {Path.Combine(dir, "report.html")} and report.md");
            return 0;
        }));
        return command;
    }

    public static int Export(string studyDir, string format)
    {
        string dir = Path.GetFullPath(studyDir);
        using var store = OpenStore(dir);
        foreach (string file in StudyExport.Write(store, format, Path.Combine(dir, "export"))) Console.WriteLine($"wrote {file}");
        return 0;
    }

    internal static StudyStore OpenStore(string dir)
    {
        string db = StudyRunner.DatabasePath(dir);
        if (!Path.Exists(db)) throw new LabelRepException($"{dir}: no {StudyRunner.DatabaseFile}; give the folder of a 'labelrep study' run");
        return StudyStore.OpenExisting(db);
    }

    internal sealed class ConsoleObserver : IStudyObserver
    {
        public void Message(string line) => Console.WriteLine(line);
        public IProgress<TrainProgress> Training(string prefix) => new ProgressLine(prefix);
        public IProgress<AttackProgress> Attacking(string prefix) => new ProgressLine(prefix);
    }
}
