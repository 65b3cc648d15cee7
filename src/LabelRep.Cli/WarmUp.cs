using ScottPlot;

namespace LabelRep.Cli;

/// <summary>
/// Loads the chart and table code (ScottPlot, Skia and the system fonts; Spectre.Console) while libtorch loads: their
/// first use costs ~0.7 s, a twelfth of a 200-image paper sweep, and the second core is idle while libtorch loads. It
/// touches no LabelRep type. It does not start a thread itself: it hands the work to <see cref="Native.TorchRuntime"/>,
/// which runs it beside the loading and joins it before any tensor can exist, so the one-allocating-thread rule holds by
/// construction (docs/ARCHITECTURE.md).
/// </summary>
public static class WarmUp
{
    /// <summary>Leaves the warm-up for libtorch's loading, for commands that end with a chart and a table. Call before any LabelRep type is used.</summary>
    public static void Offer(string[] args)
    {
        if (args.Length == 0 || args[0] != "attack" || args.Contains("--help") || args.Contains("-h")) return;
        AppContext.SetData(Native.TorchRuntime.AlongsideLoading, (Action)Run);
    }

    private static void Run()
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
}
