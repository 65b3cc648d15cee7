using System.CommandLine;
using System.Globalization;
using LabelRep.Cli.Commands;

namespace LabelRep.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Numbers are read and written the same in every locale (--lr 0.05 is 0.05 under de_DE too): every thread of this
        // process uses the invariant culture, whatever LANG or LC_ALL say.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        // (A closed stdout or stderr is pointed at /dev/null by the launcher, ./labelrep: in here its descriptor may already
        // belong to the first file the runtime opened.)
        Native.ProcessLimits.IgnoreFileSizeSignal();
        if (Native.ProcessLimits.OpenFiles() is { } files && files < Native.ProcessLimits.MinOpenFiles)
        {
            Console.Error.WriteLine($"error: the open-file limit is {files} (ulimit -n); LabelRep needs at least {Native.ProcessLimits.MinOpenFiles} to load .NET and libtorch: raise it, e.g. ulimit -n 1024");
            return CliErrors.UserError;
        }
        WarmUp.Offer(args);
        return Run(args);
    }

    private static int Run(string[] args)
    {
        var root = new RootCommand("LabelRep: image classifiers trained on label representations beyond one-hot (Chen et al., ICLR 2021)")
        {
            HelpName = "labelrep", // the launcher's name, not the assembly's (LabelRep.Cli)
        };
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(AttackCommand.Create());
        root.Subcommands.Add(InteropCommands.Export());
        root.Subcommands.Add(InteropCommands.Import());
        root.Subcommands.Add(StudyCommands.Study());
        root.Subcommands.Add(StudyCommands.Report());
        root.Subcommands.Add(LabelsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(SelftestCommand.Create());
        RejectEmptyText(root);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The parser's own errors, in the shape of every other error: one line, exit code 2.
            Console.Error.WriteLine("error: " + ParseErrors.Describe(parsed));
            return CliErrors.UserError;
        }
        return parsed.Invoke();
    }

    /// <summary>
    /// A text option given as "" (an unset shell variable, say) is a mistake whatever it names: a path would reach the
    /// file system as an empty one. Each such value is a parse error naming the option; defaults are not checked.
    /// </summary>
    private static void RejectEmptyText(Command command)
    {
        foreach (Option option in command.Options)
        {
            if (option.ValueType != typeof(string) && option.ValueType != typeof(string[])) continue;
            option.Validators.Add(result =>
            {
                if (!result.Implicit && result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                    result.AddError($"{option.Name} is empty; give it a value{(option.Required ? "" : " or leave the option out")}");
            });
        }
        foreach (Command sub in command.Subcommands) RejectEmptyText(sub);
    }
}
