namespace LabelRep.Cli;

/// <summary>Runs a command body; user errors become one line on stderr and a non-zero exit code, never a stack trace.</summary>
public static class CliErrors
{
    public const int UserError = 2;
    public const int Interrupted = 130;

    public static int Run(Func<CancellationToken, int> body)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += handler;
        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested) return;
            context.Cancel = true;
            cancel.Cancel();
        }
        // SIGTERM and SIGHUP stop the work as Ctrl-C does (what is finished is saved; a study's workers are told too); a
        // second one ends the process at once.
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        using var hup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, Stop);
        try
        {
            return body(cancel.Token);
        }
        catch (LabelRepException e)
        {
            ProgressLine.EndOpenLine();
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            ProgressLine.EndOpenLine();
            Console.Error.WriteLine("interrupted; what was finished is on disk (train: rerun with --resume; attack and study: rerun the same command)");
            return Interrupted;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LABELREP_DEBUG") != "1")
        {
            ProgressLine.EndOpenLine();
            Console.Error.WriteLine($"error: {OneLine(Describe(e))} (set LABELREP_DEBUG=1 for the stack trace)");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    /// <summary>The first line: libtorch's messages carry a C++ backtrace after it, which is not the user's business.</summary>
    private static string OneLine(string message) => message.Split('\n', 2)[0].TrimEnd('\r', ' ');

    private static string Describe(Exception e)
    {
        while (e is TypeInitializationException or AggregateException && e.InnerException != null) e = e.InnerException!;
        return e switch
        {
            OutOfMemoryException => "out of memory; use a smaller --batch-size or model",
            IOException io => $"file error: {io.Message}",
            UnauthorizedAccessException ua => $"permission denied: {ua.Message}",
            _ => $"{e.GetType().Name}: {e.Message}",
        };
    }
}
