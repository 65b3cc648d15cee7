using System.CommandLine;
using LabelRep.Interop;
using LabelRep.Runs;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep export --format pytorch</c> and <c>labelrep import --pytorch</c>: models in and out of PyTorch.</summary>
public static class InteropCommands
{
    public static Command Export()
    {
        var run = new Option<string?>("--run") { Description = "a run folder to export for PyTorch" };
        var study = new Option<string?>("--study") { Description = "a study folder whose tables to export (into STUDY/export/)" };
        var format = new Option<string?>("--format") { Description = "pytorch (a run: state_dict.pt + labels.npy + model.json for interop/labelrep_torch.py); csv or json (a study's tables)" };
        var output = new Option<string?>("--out") { Description = "output folder (runs)" };
        var command = new Command("export", "Export a trained run for PyTorch, or a study's tables as CSV or JSON");
        foreach (Option o in new Option[] { run, study, format, output }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            if ((r.GetValue(run) == null) == (r.GetValue(study) == null)) throw new LabelRepException("give either --run RUN_DIR (with --format pytorch --out DIR) or --study STUDY_DIR (with --format csv|json)");
            if (r.GetValue(study) is { } studyDir) return StudyCommands.Export(studyDir, r.GetValue(format) ?? "csv");
            if ((r.GetValue(format) ?? "pytorch") != "pytorch") throw new LabelRepException($"--format '{r.GetValue(format)}': a run exports as pytorch; csv and json are for --study");
            if (r.GetValue(output) is null) throw new LabelRepException("--out DIR is required to export a run");
            string outDir = Path.GetFullPath(r.GetValue(output)!);
            ExportedModel m = PyTorchExport.Export(new RunDirectory(r.GetValue(run)!), outDir);
            Console.WriteLine($"exported {m.Backbone} + {m.LabelKind} ({m.Head} head, output {string.Join("x", m.OutputShape)}, decision {m.Decision}) to {outDir}");
            Console.WriteLine($"in Python (with the repository's interop/ folder on sys.path): model = labelrep_torch.load('{outDir}')");
            return 0;
        }));
        return command;
    }

    public static Command Import()
    {
        var options = new TrainOptions();
        var stateDict = new Option<string>("--pytorch") { Description = "a PyTorch state dict (torch.save(model.state_dict())) of the same architecture; 'module.' prefixes are removed", Required = true };
        var output = new Option<string>("--out") { Description = "the new run folder", Required = true };
        var command = new Command("import", "Turn a PyTorch checkpoint (exported by LabelRep, or trained with the official code) into a run that evaluate and attack accept");
        command.Options.Add(stateDict);
        foreach (Option o in new Option[] { options.Dataset, options.DataDir, options.Model, options.Label, options.LabelsFile, options.LabelSeed, options.Voice, options.AudioDir, options.LowDim, options.Seed, options.ValidationCount, options.TestLimit, options.Device })
            command.Options.Add(o);
        command.Options.Add(output);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            // Only the options import registers; the training ones keep their defaults (an import trains nothing).
            var config = new TrainConfig
            {
                Dataset = r.GetValue(options.Dataset)!, DataDir = r.GetValue(options.DataDir), Model = r.GetValue(options.Model)!,
                Label = r.GetValue(options.Label)!, Labels = options.ToLabelOptions(r), Seed = r.GetValue(options.Seed),
                ValidationCount = r.GetValue(options.ValidationCount), TestLimit = r.GetValue(options.TestLimit), Device = r.GetValue(options.Device)!,
            };
            var run = new RunDirectory(r.GetValue(output)!);
            ImportSummary s = PyTorchImport.Import(r.GetValue(stateDict)!, config with { Labels = config.Labels with { LabelsFile = null } }, config.Labels.LabelsFile, run);
            Console.WriteLine($"imported {s.Tensors} tensors (matched {s.Matching}{(s.StrippedPrefix > 0 ? ", 'module.' prefix removed" : "")}) into {run.Root}");
            Console.WriteLine($"test accuracy {s.TestAccuracy:P2} on {s.TestImages} images");
            return 0;
        }));
        return command;
    }
}
