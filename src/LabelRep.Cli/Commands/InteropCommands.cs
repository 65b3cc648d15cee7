using System.CommandLine;
using LabelRep.Interop;
using LabelRep.Training;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep export --format pytorch</c> and <c>labelrep import --pytorch</c>: models in and out of PyTorch.</summary>
public static class InteropCommands
{
    public static Command Export()
    {
        var run = new Option<string>("--run") { Description = "the run folder to export", Required = true };
        var format = new Option<string>("--format") { Description = "pytorch: state_dict.pt + labels.npy + model.json for interop/labelrep_torch.py", DefaultValueFactory = _ => "pytorch" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var command = new Command("export", "Export a trained run for PyTorch (state_dict.pt, labels.npy, model.json)");
        foreach (Option o in new Option[] { run, format, output }) command.Options.Add(o);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            if (r.GetValue(format) != "pytorch") throw new LabelRepException($"--format '{r.GetValue(format)}': only 'pytorch' is supported for runs (studies export csv or json)");
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
            TrainConfig config = options.ToConfig(r);
            var run = new RunDirectory(r.GetValue(output)!);
            ImportSummary s = PyTorchImport.Import(r.GetValue(stateDict)!, config with { LabelsFile = null }, config.LabelsFile, run);
            Console.WriteLine($"imported {s.Tensors} tensors (matched {s.Matching}{(s.StrippedPrefix > 0 ? ", 'module.' prefix removed" : "")}) into {run.Root}");
            Console.WriteLine($"test accuracy {s.TestAccuracy:P2} on {s.TestImages} images");
            return 0;
        }));
        return command;
    }
}
