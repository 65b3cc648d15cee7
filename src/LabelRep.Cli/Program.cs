using System.CommandLine;
using LabelRep.Cli.Commands;

namespace LabelRep.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("LabelRep: image classifiers trained on label representations beyond one-hot (Chen et al., ICLR 2021)");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(AttackCommand.Create());
        root.Subcommands.Add(InteropCommands.Export());
        root.Subcommands.Add(InteropCommands.Import());
        root.Subcommands.Add(StudyCommands.Study());
        root.Subcommands.Add(StudyCommands.Report());
        root.Subcommands.Add(LabelsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root.Parse(args).Invoke();
    }
}
