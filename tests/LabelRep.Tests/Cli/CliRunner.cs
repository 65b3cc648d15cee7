using LabelRep.Cli;

namespace LabelRep.Tests.Cli;

/// <summary>Runs the command line in this process, as a user would from the shell, and captures what it prints.</summary>
internal static class CliRunner
{
    private static readonly object Gate = new();

    public static (int Code, string Out, string Err) Run(params string[] args) => Capture(() => Program.Main(args));

    /// <summary>Runs <paramref name="action"/> with the console's output and error captured (one capture at a time).</summary>
    public static (T Result, string Out, string Err) Capture<T>(Func<T> action)
    {
        lock (Gate)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            TextWriter oldOut = Console.Out, oldErr = Console.Error;
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                T result = action();
                return (result, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }
}
