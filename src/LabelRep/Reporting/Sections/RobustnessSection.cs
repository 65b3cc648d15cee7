using System.Globalization;
using LabelRep.Evaluation;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>Robustness per attack protocol: worst-case curves, every attack's numbers, and the gradient-masking flags.</summary>
public sealed class RobustnessSection : IReportSection
{
    public string Name => "robustness";
    public int Order => 30;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public void Write(ReportDocument doc, StudyData data)
    {
        StudyStore store = data.Store;
        IReadOnlyList<RunAttackResult> attacks = data.Attacks;
        string[] labels = data.Labels;
        doc.Heading("Robustness");
        if (attacks.Count == 0)
        {
            doc.Paragraph("No attack results yet.");
            return;
        }
        foreach (var protocol in attacks.GroupBy(a => a.Result.Protocol).OrderBy(g => AttackProtocol.Parse(g.Key).NormalizedSpace ? 0 : 1))
        {
            AttackProtocol rules = AttackProtocol.Parse(protocol.Key);
            EpsUnit unit = rules.Unit;
            foreach (var group in protocol.GroupBy(a => (a.Dataset, a.Model)))
            {
                int images = group.First().Result.Images;
                doc.Subheading($"{rules.Title} — {group.Key.Dataset} {group.Key.Model}, {images} test images");
                var worst = group.Where(a => a.Result.Attack == AttackResult.WorstCase && !a.Result.Targeted).ToArray();
                double[] grid = worst.Select(a => a.Result.Eps).Distinct().OrderBy(e => e).ToArray();
                var runsOfGroup = data.Runs.Where(r => r.Dataset == group.Key.Dataset && r.Model == group.Key.Model && r.Fraction == data.MainFraction).ToArray();
                var series = labels.Where(l => worst.Any(a => a.Label == l)).Select(l =>
                {
                    double[] mean = grid.Select(e => worst.Where(a => a.Label == l && a.Result.Eps == e).Average(a => a.Result.Accuracy)).ToArray();
                    // The interval of each point: Student's t over the seeds with the attacked images' shared variance (when the per-image results exist).
                    var intervals = grid.Select(e => data.PerSeed(runsOfGroup, l, r => data.RobustAt(r, protocol.Key, e)) is { Seeds.Length: >= SeedImageInterval.MinSeeds } perSeed
                        ? SeedImageInterval.Mean(new[] { perSeed.Values }) : null).ToArray();
                    double[][] seeds = grid.Select(e => worst.Where(a => a.Label == l && a.Result.Eps == e).Select(a => a.Result.Accuracy).ToArray()).ToArray();
                    bool withIntervals = intervals.All(i => i != null);
                    return new PlotSeries(l, grid.Select(e => e * unit.PlotScale).ToArray(), mean,
                        Lower: withIntervals ? intervals.Select(i => i!.Lower).ToArray() : null, Upper: withIntervals ? intervals.Select(i => i!.Upper).ToArray() : null, Seeds: seeds);
                }).ToList();
                doc.Image($"robustness-{protocol.Key}-{FileNames.Safe(group.Key.Dataset)}-{group.Key.Model}.png",
                    Charts.Lines($"Worst case over attacks ({protocol.Key} protocol)", unit.AxisTitle, "accuracy", series, yRange: (0, 1)),
                    "worst-case accuracy against ε, a line per label kind: the mean over seeds with its 95% interval (bars) and each seed (dots)");
                WriteCurves(doc, data, rules, $"{FileNames.Safe(group.Key.Dataset)}-{group.Key.Model}", runsOfGroup, grid);
                var attackNames = group.Select(a => (a.Result.Attack, a.Result.Loss, a.Result.Targeted)).Distinct()
                    .OrderBy(a => a.Targeted).ThenBy(a => a.Attack == AttackResult.WorstCase ? 1 : 0).ThenBy(a => a.Attack).ThenBy(a => a.Loss).ToArray();
                var header = new[] { "label", "attack/loss" }.Concat(grid.Select(unit.Format)).ToArray();
                var rows = new List<string[]>();
                foreach (string label in labels)
                {
                    foreach (var (attack, loss, targeted) in attackNames)
                    {
                        var cells = grid.Select(e => group.Where(a => a.Label == label && a.Result.Attack == attack && a.Result.Loss == loss && a.Result.Targeted == targeted && a.Result.Eps == e)
                            .Select(a => a.Result.Accuracy).DefaultIfEmpty(double.NaN).Average()).ToArray();
                        if (cells.All(double.IsNaN)) continue;
                        rows.Add(new[] { label, $"{attack}/{loss}{(targeted ? " targeted" : "")}" }.Concat(cells.Select(v => double.IsNaN(v) ? "" : v.ToString("P1", C))).ToArray());
                    }
                }
                doc.Table(header, rows, collapsible: $"all attacks ({rows.Count} rows)");
            }
            var flags = store.AttackFlags().Where(f => f.Protocol == protocol.Key).ToArray();
            doc.Paragraph(flags.Length == 0
                ? $"No sign of gradient masking in the {protocol.Key} protocol's numbers."
                : $"{flags.Length} possible sign(s) of gradient masking in the {protocol.Key} protocol (a reason to distrust a number, not proof):");
            if (flags.Length > 0) doc.List(flags.Select(f => $"{f.Label}: [{f.Check}] {f.Message}"));
            WriteChecks(doc, data, protocol.Key);
        }
        doc.Paragraph("Accuracy counts images classified correctly before and after the attack. Worst case: an image counts as robust only if every attack and loss failed on it.");
    }

    /// <summary>Points of the robustness curve between the grid's ε: dense enough to draw it as a curve.</summary>
    private const int CurvePoints = 60;

    /// <summary>
    /// R(ε) from the minimum-norm attacks' per-image distances, when the sweeps ran one: robust accuracy at every ε up to
    /// the grid's largest (an image is robust at ε when no minimum-norm attack fooled it within ε), a curve per label
    /// kind with its 95% interval as a band and each seed's value at the grid's ε as dots; and the median smallest
    /// fooling distance per kind. A curve from minimal distances bounds robust accuracy from above, as every attack
    /// does; the fixed-ε worst case above is the number the verdicts use unless the spec asks for the curve's area.
    /// </summary>
    private static void WriteCurves(ReportDocument doc, StudyData data, AttackProtocol rules, string group, IReadOnlyList<RunResult> runs, double[] grid)
    {
        var byLabel = data.Labels.Select(l => (Label: l, Seeds: runs.Where(r => r.Label == l).OrderBy(r => r.Seed).Select(r => data.MinimalDistance(r, rules.Name))
            .Where(d => d != null).Select(d => d!).ToArray())).Where(x => x.Seeds.Length > 0).ToArray();
        if (byLabel.Length == 0) return;
        double largest = grid.Length > 0 && grid.Max() > 0 ? grid.Max()
            : byLabel.SelectMany(x => x.Seeds).SelectMany(d => d).Where(d => d.HasValue).Select(d => d!.Value).DefaultIfEmpty(1).Max();
        double[] xs = Enumerable.Range(0, CurvePoints + 1).Select(i => largest * i / CurvePoints).Concat(grid).Distinct().OrderBy(e => e).ToArray();
        EpsUnit unit = rules.Unit;
        var series = byLabel.Select(x =>
        {
            double[] Robust(double?[] d, double eps) => d.Select(v => v is not { } value || value > eps ? 1.0 : 0.0).ToArray();
            double[] mean = xs.Select(e => x.Seeds.Average(d => Robust(d, e).Average())).ToArray();
            var intervals = x.Seeds.Length >= SeedImageInterval.MinSeeds && x.Seeds.All(d => d.Length == x.Seeds[0].Length)
                ? xs.Select(e => SeedImageInterval.Mean(new[] { x.Seeds.Select(d => Robust(d, e)).ToArray() })).ToArray() : null;
            double[][] seeds = xs.Select(e => grid.Contains(e) ? x.Seeds.Select(d => Robust(d, e).Average()).ToArray() : Array.Empty<double>()).ToArray();
            return new PlotSeries(x.Label, xs.Select(e => e * unit.PlotScale).ToArray(), mean, Lower: intervals?.Select(i => i.Lower).ToArray(),
                Upper: intervals?.Select(i => i.Upper).ToArray(), Seeds: seeds, Band: true);
        }).ToList();
        doc.Image($"robustness-curve-{rules.Name}-{group}.png",
            Charts.Lines($"Robust accuracy R(ε) from minimal distances ({rules.Name} protocol)", unit.AxisTitle, "accuracy", series, yRange: (0, 1)),
            "robust accuracy against ε from each image's smallest fooling perturbation (FAB-T, FMN): the mean over seeds, its 95% interval (band) and each seed at the grid's ε (dots)");
        var rows = byLabel.Select(x =>
        {
            // Median over the images classified correctly before the attack, a search that found nothing counting as above every distance.
            double[] medians = x.Seeds.Select(d => Median(d.Where(v => v is not 0).Select(v => v ?? double.PositiveInfinity).ToArray())).ToArray();
            int none = x.Seeds.Sum(d => d.Count(v => v is null));
            return new[]
            {
                x.Label, x.Seeds.Length.ToString(C), Format(medians.Average()), $"{Format(medians.Min())} to {Format(medians.Max())}",
                none.ToString(C),
            };
        }).ToList();
        doc.Paragraph($"The median smallest fooling perturbation ({rules.Norm.Symbol}, pixels in [0, 1]) per kind, over the images each run classified correctly:");
        doc.Table(new[] { "label", "seeds", "median distance (mean over seeds)", "seeds' medians", "images never fooled" }, rows);

        string Format(double v) => double.IsPositiveInfinity(v) ? "∞" : unit.Format(v);
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0) return double.NaN;
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Which masking checks ran per kind, and whether they passed: a check that never ran is no evidence (the attack gate needs them).</summary>
    private static void WriteChecks(ReportDocument doc, StudyData data, string protocol)
    {
        var labelOf = data.Runs.ToDictionary(r => r.Id, r => r.Label);
        var checks = data.Checks.Where(c => c.Protocol == protocol && labelOf.ContainsKey(c.RunId)).ToArray();
        if (checks.Length == 0) return;
        var rows = checks.GroupBy(c => (Label: labelOf[c.RunId], c.Check.Name)).OrderBy(g => Array.IndexOf(data.Labels, g.Key.Label)).ThenBy(g => g.Key.Name)
            .Select(g => new[]
            {
                g.Key.Label, g.Key.Name, g.Count().ToString(C), g.Count(c => c.Check.Passed).ToString(C), g.FirstOrDefault(c => !c.Check.Passed).Check?.Detail ?? g.First().Check.Detail,
            }).ToList();
        doc.Paragraph($"The masking checks that ran in the {protocol} protocol (a check with no row never ran; what a failing run found, else the first run's):");
        doc.Table(new[] { "label", "check", "runs", "passed", "found" }, rows, collapsible: $"checks ({rows.Count} rows)");
    }
}
