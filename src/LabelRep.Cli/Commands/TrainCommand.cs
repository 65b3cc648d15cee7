using System.CommandLine;
using LabelRep.Runs;
using LabelRep.Training;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep train</c>: one run, with progress, checkpoints and metrics.json.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var options = new TrainOptions();
        var output = new Option<string>("--out") { Description = "run folder (config, checkpoints, metrics.json, tensorboard/)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out from its last finished epoch" };
        var command = new Command("train", "Train a backbone with a label representation; evaluate the best-by-validation weights on the test set");
        options.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(resume);
        command.SetAction(r => CliErrors.Run(cancel =>
        {
            TrainConfig config = options.ToConfig(r);
            var dir = new RunDirectory(r.GetValue(output)!);
            using var setup = RunSetup.Create(config);
            Console.WriteLine($"{config.Dataset}: {setup.Split.Train.Length} training, {setup.Split.Validation.Length} validation, {setup.TestIndices.Length} test images; " +
                              $"{config.Model} + {config.Label} ({setup.Model.ParameterCount():N0} parameters) on {setup.Device.type.ToString().ToLowerInvariant()}, {TorchSharp.torch.get_num_threads()} threads");
            TrainMetrics m = new Trainer(setup, dir, new ProgressLine()).Run(r.GetValue(resume), cancel);
            Console.WriteLine($"best epoch {m.BestEpoch}: val acc {m.ValAccuracy:P2}; test acc {m.TestAccuracy:P2} on {m.TestImages} images; " +
                              $"{m.ImagesPerSecond:F0} img/s; {m.TrainSeconds:F0} s training");
            Console.WriteLine($"wrote {dir.MetricsPath}");
            return 0;
        }));
        return command;
    }
}
