using LabelRep.Evaluation;

namespace LabelRep.Reporting;

/// <summary>
/// A sweep's picture: accuracy against ε, a line per attack and loss (targeted dashed), the worst case as a wide pale
/// band underneath (it equals the strongest attack at each ε, whose line would otherwise hide under it).
/// </summary>
public static class AttackPlot
{
    public static byte[] Png(AttackReport report) => Png(report, $"{report.Run}\n{report.Protocol} protocol, {report.Images} test images");

    public static byte[] Png(AttackReport report, string title)
    {
        EpsUnit unit = EpsUnit.Of(report.Protocol);
        var series = report.Results.GroupBy(r => r.Series)
            .Select(g => g.OrderBy(r => r.Eps).ToArray())
            .Select(rows => new PlotSeries(rows[0].Series, rows.Select(r => r.Eps * unit.PlotScale).ToArray(), rows.Select(r => r.Accuracy).ToArray(), rows[0].Targeted,
                Envelope: rows[0].Attack == AttackResult.WorstCase))
            .ToList();
        return Charts.Lines(title, unit.AxisTitle, "accuracy", series, yRange: (0, 1));
    }
}
