using System.CommandLine;
using LabelRep.Runs;
using LabelRep.Training;

namespace LabelRep.Cli.Commands;

/// <summary><c>labelrep evaluate</c>: the test accuracy of a run's best weights, recomputed from the checkpoint alone.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "a run folder written by 'labelrep train'", Required = true };
        var device = new Option<string>("--device") { Description = "device: auto, cpu, cuda", DefaultValueFactory = _ => "auto" };
        var command = new Command("evaluate", "Recompute a run's test accuracy from its saved best weights");
        command.Options.Add(run);
        command.Options.Add(device);
        command.SetAction(r => CliErrors.Run(_ =>
        {
            var dir = new RunDirectory(r.GetValue(run)!);
            var result = RunEvaluation.Test(dir, r.GetValue(device)!);
            Console.WriteLine($"test accuracy {result.Accuracy:P2} ({result.Correct}/{result.Images}), test loss {result.Loss:F4}");
            if (dir.IsComplete)
            {
                var metrics = TrainMetrics.Read(dir.MetricsPath);
                Console.WriteLine(metrics.TestAccuracy == result.Accuracy
                    ? "matches metrics.json"
                    : $"differs from metrics.json ({metrics.TestAccuracy:P2})");
            }
            return 0;
        }));
        return command;
    }
}
