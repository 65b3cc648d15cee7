using System.Globalization;
using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>
/// The paper's explanation put to a computed test: robust accuracy of every attacked run against its label's entropy,
/// closest-pair distance and rank, one point per run, with a least-squares line per training regime and the 95%
/// interval of its slope from a bootstrap over label kinds (a kind's seeds move together, so kinds are the units).
/// A slope whose interval excludes 0 is a trend; one that straddles it is none at this study's size.
/// </summary>
public sealed class LabelPropertiesSection : IReportSection
{
    public string Name => "label-properties";
    public int Order => 60;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>A label property the hypothesis names: its axis title and how to read it from the statistics.</summary>
    private sealed record Property(string Name, string Axis, Func<LabelStats, double> Of);

    private static readonly Property[] Properties =
    {
        new("entropy", "entropy (bits)", s => s.Entropy),
        new("closest pair", "closest pair's L2 distance (normalized)", s => s.MinPairwiseL2),
        new("rank", "rank of the label matrix", s => s.Rank),
    };

    /// <summary>
    /// A run's point: its arm, label, training regime, worst-case robust accuracy averaged over ε &gt; 0, and the same as
    /// a share of the images it classified correctly without attack (robustness apart from how well the labels trained).
    /// </summary>
    public sealed record RunPoint(string Arm, string Label, string Regime, double Robust, double RobustOfCorrect);

    /// <summary>What a point's y is: robust accuracy, or robust accuracy as a share of clean accuracy.</summary>
    private sealed record Measure(string Name, string File, string Axis, Func<RunPoint, double> Of);

    private static readonly Measure[] Measures =
    {
        new("robust accuracy", "robust", "worst-case robust accuracy (mean over ε > 0)", p => p.Robust),
        new("robust share of the correct", "robust-of-correct", "robust accuracy / clean accuracy", p => p.RobustOfCorrect),
    };

    public void Write(ReportDocument doc, StudyData data)
    {
        string protocol = AttackProtocol.Standard.Name;
        var points = Points(data, protocol);
        var stats = data.Store.LabelStatistics().GroupBy(s => s.Stats.Kind).ToDictionary(g => g.Key, g => g.First().Stats);
        points = points.Where(p => stats.ContainsKey(p.Label)).ToList();
        if (points.Select(p => p.Label).Distinct().Count() < 3) return; // nothing to fit
        doc.Heading("Robustness against label properties");
        doc.Paragraph("Each point is one attacked run: its worst-case robust accuracy under the standard protocol, averaged over ε > 0, against a " +
                      "property of its label bank; and the same divided by the run's clean accuracy on the attacked images, which separates robustness " +
                      "from how well the labels trained. The line is a least-squares fit per training regime; the slope's 95% interval comes from a bootstrap " +
                      $"over label kinds ({Trend.Resamples} resamples, at least {Trend.MinClusters} kinds), since a kind's seeds share its label. An interval " +
                      "that excludes 0 is a trend; one that straddles 0 is none at this size. Unlike the claims' intervals, this one's coverage has not " +
                      "been checked, and a percentile bootstrap over so few kinds is known to run narrow: read it as a description, not a verdict.");
        var rows = new List<string[]>();
        foreach (Measure measure in Measures)
            foreach (Property property in Properties)
            {
                var series = new List<PlotSeries>();
                foreach (var regime in points.GroupBy(p => p.Regime).OrderBy(g => g.Key))
                {
                    var valid = regime.Where(p => double.IsFinite(property.Of(stats[p.Label])) && property.Of(stats[p.Label]) >= 0 && double.IsFinite(measure.Of(p))).ToArray();
                    double[] x = valid.Select(p => property.Of(stats[p.Label])).ToArray(), y = valid.Select(measure.Of).ToArray();
                    string name = regime.Key.Length == 0 ? "plain" : regime.Key;
                    series.Add(new PlotSeries(name, x, y, Points: true));
                    Trend? trend = valid.Length == 0 ? null : Trend.Fit(valid.Select(p => p.Label).ToArray(), x, y);
                    if (trend is null)
                    {
                        int kinds = valid.Select(p => p.Label).Distinct().Count();
                        rows.Add(new[] { measure.Name, property.Name, name, valid.Length.ToString(C), "",
                        x.Distinct().Count() < 3 ? "fewer than 3 distinct values" : $"{kinds} label kinds: a bootstrap over kinds needs {Trend.MinClusters}" });
                        continue;
                    }
                    series.Add(new PlotSeries($"{name} fit", new[] { x.Min(), x.Max() }, new[] { trend.At(x.Min()), trend.At(x.Max()) }, Dashed: true));
                    rows.Add(new[]
                    {
                    measure.Name, property.Name, name, valid.Length.ToString(C),
                    $"{trend.Slope * 100:+0.00;-0.00} [{trend.Lower * 100:+0.00;-0.00}, {trend.Upper * 100:+0.00;-0.00}]",
                    trend.Lower > 0 ? "rises with it" : trend.Upper < 0 ? "falls with it" : "no trend at this size",
                });
                }
                string file = $"properties-{measure.File}-{property.Name.Replace(' ', '-')}.png";
                doc.Image(file, Charts.Lines($"{measure.Name} against {property.Name}", property.Axis, measure.Axis, series, yRange: (0, 1)),
                    "one point per attacked run; dashed: the least-squares line per training regime");
            }
        doc.Table(new[] { "measure", "property", "training", "runs", "slope (points per unit) [95% interval]", "reading" }, rows);
        doc.Table(new[] { "label", "entropy", "closest pair", "rank", "runs", "robust (mean)", "robust / clean (mean)" },
            points.GroupBy(p => p.Arm).Select(g => new[]
            {
                g.Key, stats[g.First().Label].Entropy.ToString("F2", C), stats[g.First().Label].MinPairwiseL2.ToString("F2", C), stats[g.First().Label].Rank.ToString(C),
                g.Count().ToString(C), g.Average(p => p.Robust).ToString("P1", C), g.Average(p => p.RobustOfCorrect).ToString("P1", C),
            }), collapsible: "each arm's label properties and robust accuracy");
    }

    /// <summary>Every attacked main run with a standard-protocol worst case, from the per-image results (else the attack table).</summary>
    public static List<RunPoint> Points(StudyData data, string protocol)
    {
        var points = new List<RunPoint>();
        foreach (RunResult run in data.Runs.Where(r => r.Fraction == data.MainFraction))
        {
            var worst = data.Attacks.Where(a => a.RunId == run.Id && a.Result.Protocol == protocol && a.Result.Attack == AttackResult.WorstCase && !a.Result.Targeted)
                .Select(a => a.Result).ToArray();
            double[]? perImage = data.RobustOverEps(run, protocol);
            double robust = perImage is { Length: > 0 } ? perImage.Average()
                : worst.Where(r => r.Eps > 0).Select(r => r.Accuracy).DefaultIfEmpty(double.NaN).Average();
            if (double.IsNaN(robust)) continue;
            double clean = worst.Where(r => r.Eps == 0).Select(r => r.Accuracy).DefaultIfEmpty(double.NaN).First();
            points.Add(new RunPoint(run.Label, StudyRun.LabelOf(run.Label), StudyRun.RegimeOf(run.Label), robust, clean > 0 ? robust / clean : double.NaN));
        }
        return points;
    }
}

/// <summary>A least-squares line y = a + b·x with the 95% percentile interval of b from a bootstrap over clusters (label kinds).</summary>
public sealed record Trend(double Intercept, double Slope, double Lower, double Upper)
{
    public double At(double x) => Intercept + Slope * x;

    /// <summary>Label kinds a slope's interval needs: with fewer, a bootstrap over kinds has too few distinct resamples to mean anything.</summary>
    public const int MinClusters = 5;

    /// <summary>Bootstrap resamples of the kinds (a fixed generator seed, so the same points give the same interval).</summary>
    public const int Resamples = 2000;

    /// <summary>Null when x has fewer than 3 distinct values or there are fewer than <see cref="MinClusters"/> clusters.</summary>
    public static Trend? Fit(string[] clusters, double[] x, double[] y, int resamples = Resamples, int seed = 20210504)
    {
        if (x.Distinct().Count() < 3 || clusters.Distinct().Count() < MinClusters) return null;
        var (a, b) = LeastSquares(Enumerable.Range(0, x.Length).ToArray(), x, y);
        var groups = Enumerable.Range(0, x.Length).GroupBy(i => clusters[i]).Select(g => g.ToArray()).ToArray();
        var rng = new Random(seed);
        var slopes = new List<double>(resamples);
        for (int r = 0; r < resamples; r++)
        {
            int[] rows = Enumerable.Range(0, groups.Length).SelectMany(_ => groups[rng.Next(groups.Length)]).ToArray();
            if (rows.Select(i => x[i]).Distinct().Count() < 2) continue; // a resample with one x value has no slope
            slopes.Add(LeastSquares(rows, x, y).Slope);
        }
        slopes.Sort();
        if (slopes.Count == 0) return new Trend(a, b, double.NegativeInfinity, double.PositiveInfinity);
        return new Trend(a, b, slopes[(int)(0.025 * (slopes.Count - 1))], slopes[(int)Math.Ceiling(0.975 * (slopes.Count - 1))]);
    }

    private static (double Intercept, double Slope) LeastSquares(int[] rows, double[] x, double[] y)
    {
        double mx = rows.Average(i => x[i]), my = rows.Average(i => y[i]);
        double sxy = rows.Sum(i => (x[i] - mx) * (y[i] - my)), sxx = rows.Sum(i => (x[i] - mx) * (x[i] - mx));
        double slope = sxx > 0 ? sxy / sxx : 0;
        return (my - slope * mx, slope);
    }
}
