using LabelRep.Evaluation;

namespace LabelRep.Reporting;

/// <summary>
/// A sweep's picture: accuracy against ε, a line per attack and loss (targeted dashed), the worst case and each
/// cascade's own line as wide pale bands underneath (the worst case equals the strongest attack at each ε, a cascade
/// its last member, whose lines would otherwise hide under them). Other lines that coincide (two losses of a transfer
/// attack, say) are drawn as rims around each other (<see cref="Charts.Lines"/>).
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
                Envelope: rows[0].Attack == AttackResult.WorstCase || rows[0].Loss == AttackResult.Cascade))
            .ToList();
        return Charts.Lines(title, unit.AxisTitle, "accuracy", series, yRange: (0, 1));
    }
}
