using ScottPlot;

namespace LabelRep.Reporting;

/// <summary>
/// One line of a line chart: points, a name for the legend, optionally a dashed stroke, a 95% interval per point
/// (<paramref name="Lower"/>, <paramref name="Upper"/>, drawn as bars) and the per-seed values behind each point.
/// </summary>
/// <param name="Points">Markers only, no connecting line (a scatter of runs).</param>
public sealed record PlotSeries(string Name, double[] X, double[] Y, bool Dashed = false, double[]? Lower = null, double[]? Upper = null, double[][]? Seeds = null,
    bool Points = false, bool Envelope = false, bool Band = false);

/// <summary>The charts LabelRep draws, as PNG bytes (ScottPlot): lines (accuracy against ε or data) and labelled scatters (t-SNE).</summary>
public static class Charts
{
    /// <summary>Renders the series; <paramref name="logX"/> draws x on a log₁₀ axis (values must be positive).</summary>
    public static byte[] Lines(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series,
        bool logX = false, (double Min, double Max)? yRange = null, int width = 900, int height = 560)
    {
        var plot = new Plot();
        IPalette palette = new ScottPlot.Palettes.Category10();
        // Envelopes (a worst case over other series) first, wide and pale, so the series they coincide with stay visible on top.
        int[] order = Enumerable.Range(0, series.Count).OrderBy(i => series[i].Envelope ? 0 : 1).ToArray();
        for (int k = 0; k < order.Length; k++)
        {
            int i = order[k];
            PlotSeries s = series[i];
            double[] x = logX ? s.X.Select(Math.Log10).ToArray() : s.X;
            // Lines drawn later with the very same points would hide this one: it goes wider (a rim around them) per such line.
            int hiddenBy = s.Envelope ? 0 : order.Skip(k + 1).Count(j => !series[j].Envelope && !series[j].Points && SamePoints(series[j], s));
            if (s.Band && s.Lower is { } bandLow && s.Upper is { } bandHigh)
            {
                // A dense curve's interval as a pale band under the line, not a bar at every point.
                var band = plot.Add.FillY(x, bandLow, bandHigh);
                band.FillColor = palette.GetColor(i).WithAlpha(0.18);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(x, s.Y);
            line.LegendText = s.Name;
            line.Color = s.Envelope ? palette.GetColor(i).WithAlpha(0.35) : palette.GetColor(i);
            line.LineWidth = s.Points ? 0 : s.Envelope ? 9 : 2 + 4 * hiddenBy;
            line.MarkerSize = s.Points ? 7 : s.Dashed || s.Envelope || s.Band ? 0 : 6 + 5 * hiddenBy;
            if (s.Dashed && !s.Envelope) line.LinePattern = LinePattern.Dashed;
            Decorate(plot, x, s.Band ? s with { Lower = null, Upper = null } : s, palette.GetColor(i));
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

    /// <summary>A value per category (label kind) with its 95% interval bar and the per-seed values as small dots.</summary>
    public static byte[] Categories(string title, string yLabel, IReadOnlyList<string> names, double[] values, double[] lower, double[] upper, double[][] seeds,
        int width = 900, int height = 480)
    {
        var plot = new Plot();
        IPalette palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < names.Count; i++)
        {
            var mean = plot.Add.ScatterPoints(new[] { (double)i }, new[] { values[i] });
            mean.Color = palette.GetColor(i);
            mean.MarkerSize = 10;
            Decorate(plot, new[] { (double)i }, new PlotSeries(names[i], new[] { (double)i }, new[] { values[i] }, Lower: new[] { lower[i] }, Upper: new[] { upper[i] },
                Seeds: new[] { seeds[i] }), palette.GetColor(i));
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray(), names.ToArray());
        plot.Axes.SetLimitsX(-0.5, names.Count - 0.5);
        plot.Title(title);
        plot.YLabel(yLabel);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static bool SamePoints(PlotSeries a, PlotSeries b) => a.X.SequenceEqual(b.X) && a.Y.SequenceEqual(b.Y);

    /// <summary>Interval bars (with short caps) and per-seed dots beside the points of a series.</summary>
    private static void Decorate(Plot plot, double[] x, PlotSeries s, Color color)
    {
        double cap = x.Length > 1 ? (x.Max() - x.Min()) / 120 : 0.06;
        for (int k = 0; k < x.Length; k++)
        {
            if (s.Lower is { } lo && s.Upper is { } hi)
            {
                foreach (var (x1, y1, x2, y2) in new[] { (x[k], lo[k], x[k], hi[k]), (x[k] - cap, lo[k], x[k] + cap, lo[k]), (x[k] - cap, hi[k], x[k] + cap, hi[k]) })
                {
                    var bar = plot.Add.Line(x1, y1, x2, y2);
                    bar.Color = color;
                    bar.LineWidth = 1.5f;
                }
            }
            if (s.Seeds is { } seeds && k < seeds.Length && seeds[k].Length > 0)
            {
                var dots = plot.Add.ScatterPoints(seeds[k].Select(_ => x[k] + cap).ToArray(), seeds[k]);
                dots.Color = color.WithAlpha(0.6);
                dots.MarkerSize = 4;
            }
        }
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
