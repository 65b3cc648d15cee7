using ScottPlot;

namespace LabelRep.Reporting;

/// <summary>One line of a line chart: points, a name for the legend, and optionally a dashed stroke.</summary>
public sealed record PlotSeries(string Name, double[] X, double[] Y, bool Dashed = false);

/// <summary>The charts LabelRep draws, as PNG bytes (ScottPlot): lines (accuracy against ε or data) and labelled scatters (t-SNE).</summary>
public static class Charts
{
    /// <summary>Renders the series; <paramref name="logX"/> draws x on a log₁₀ axis (values must be positive).</summary>
    public static byte[] Lines(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series,
        bool logX = false, (double Min, double Max)? yRange = null, int width = 900, int height = 560)
    {
        var plot = new Plot();
        IPalette palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            PlotSeries s = series[i];
            double[] x = logX ? s.X.Select(Math.Log10).ToArray() : s.X;
            var line = plot.Add.Scatter(x, s.Y);
            line.LegendText = s.Name;
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = 6;
            if (s.Dashed) line.LinePattern = LinePattern.Dashed;
        }
        if (logX)
        {
            // Ticks at the measured x values (the training fractions), labelled in the original units.
            double[] at = series.SelectMany(s => s.X).Distinct().OrderBy(v => v).ToArray();
            plot.Axes.Bottom.SetTicks(at.Select(Math.Log10).ToArray(), at.Select(FormatPower).ToArray());
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (yRange is { } range) plot.Axes.SetLimitsY(range.Min, range.Max);
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Labelled 2-D points (a t-SNE), one colour per class.</summary>
    public static byte[] Scatter(string title, double[] x, double[] y, int[] classes, IReadOnlyList<string> classNames, int width = 520, int height = 440)
    {
        var plot = new Plot();
        IPalette palette = new ScottPlot.Palettes.Category10();
        foreach (int c in classes.Distinct().OrderBy(c => c))
        {
            int[] members = Enumerable.Range(0, x.Length).Where(i => classes[i] == c).ToArray();
            var points = plot.Add.ScatterPoints(members.Select(i => x[i]).ToArray(), members.Select(i => y[i]).ToArray());
            points.Color = palette.GetColor(c);
            points.MarkerSize = 4;
            points.LegendText = c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        plot.Title(title);
        plot.HideGrid();
        plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
        plot.Axes.Left.TickLabelStyle.IsVisible = false;
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static string FormatPower(double v) => v >= 1 ? v.ToString("0.##") : v.ToString("0.###");
}
