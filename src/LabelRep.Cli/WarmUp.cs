using ScottPlot;

namespace LabelRep.Cli;

/// <summary>
/// Loads the chart and table code (ScottPlot, Skia and the system fonts; Spectre.Console) on a background thread while
/// libtorch loads on the main one: their first use costs ~0.7 s, a twelfth of a 200-image paper sweep, and the second
/// core is idle while libtorch loads. It touches no LabelRep type (whose first use loads libtorch). Whoever draws a chart
/// or prints a table first calls <see cref="Wait"/>, so the warm-up never runs beside the real work's use of the same
/// libraries, and <see cref="Program.Main"/> waits for it before the process exits (Skia's native code must not be
/// running while the process tears down).
/// </summary>
public static class WarmUp
{
    private static Thread? _thread;

    /// <summary>Starts the warm-up for commands that end with a chart and a table; a no-op after the first call.</summary>
    public static void Start(string[] args)
    {
        if (_thread != null || args.Length == 0 || args[0] != "attack" || args.Contains("--help") || args.Contains("-h")) return;
        _thread = new Thread(Run) { IsBackground = true, Name = "warm-up" };
        _thread.Start();
    }

    /// <summary>Returns once the warm-up (if any) has finished.</summary>
    public static void Wait() => _thread?.Join();

    private static void Run()
    {
        try
        {
            var plot = new Plot();
            plot.Add.Scatter(new[] { 0.0, 1.0 }, new[] { 0.0, 1.0 }).LegendText = "a";
            plot.Title("warm-up");
            plot.XLabel("x");
            plot.YLabel("y");
            plot.ShowLegend(Edge.Right);
            plot.GetImageBytes(64, 48, ImageFormat.Png);
            Tables.Write(TextWriter.Null, 80, new[] { "a", "b" }, new[] { new[] { "x", "1.0 %" } });
        }
        catch (Exception)
        {
            // Only a head start: the real chart or table reports any real problem.
        }
    }
}
