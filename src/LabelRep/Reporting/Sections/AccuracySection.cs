using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>
/// Test accuracy per label kind at the main training fraction: mean over seeds with its 95% interval (bootstrap over
/// seeds and images), the difference to the baseline with its paired interval, and a chart with every seed's value.
/// </summary>
public sealed class AccuracySection : IReportSection
{
    public void Write(ReportDocument doc, StudyData data)
    {
        double main = data.MainFraction;
        doc.Heading($"Accuracy (training fraction {main:0.##})");
        var groups = data.Runs.Where(r => r.Fraction == main).GroupBy(r => (r.Dataset, r.Model)).OrderBy(g => g.Key.Dataset).ThenBy(g => g.Key.Model).ToArray();
        if (groups.Length == 0)
        {
            doc.Paragraph("No main run has finished yet.");
            return;
        }
        var header = new List<string> { "label" };
        foreach (var g in groups) header.AddRange(new[] { $"{g.Key.Dataset} {g.Key.Model}", $"Δ {LabelKinds.Baseline} (pt)" });
        var rows = data.Labels.Select(label =>
        {
            var row = new List<string> { label };
            foreach (var g in groups)
            {
                double[][]? kind = data.PerSeed(g, label, data.Correct), baseline = data.PerSeed(g, LabelKinds.Baseline, data.Correct);
                double[] values = g.Where(r => r.Label == label).Select(r => r.TestAccuracy).ToArray();
                row.Add(values.Length == 0 ? "" : kind != null ? Bootstrap.Mean(new[] { kind }).Percent() : Format.MeanStd(values));
                row.Add(kind == null || baseline == null || LabelKinds.IsBaseline(label) || kind.Length != baseline.Length ? ""
                    : Bootstrap.Difference(new[] { new PairedGroup(baseline, kind) }).Points());
            }
            return row.ToArray();
        });
        doc.Table(header.ToArray(), rows);
        foreach (var g in groups)
        {
            string[] names = data.Labels.Where(l => data.PerSeed(g, l, data.Correct) != null).ToArray();
            if (names.Length == 0) continue;
            var intervals = names.Select(l => Bootstrap.Mean(new[] { data.PerSeed(g, l, data.Correct)! })).ToArray();
            doc.Image($"accuracy-{FileNames.Safe(g.Key.Dataset)}-{g.Key.Model}.png",
                Charts.Categories($"Test accuracy — {g.Key.Dataset} {g.Key.Model}", "test accuracy", names, intervals.Select(i => i.Estimate).ToArray(),
                    intervals.Select(i => i.Lower).ToArray(), intervals.Select(i => i.Upper).ToArray(),
                    names.Select(l => g.Where(r => r.Label == l).OrderBy(r => r.Seed).Select(r => r.TestAccuracy).ToArray()).ToArray()),
                "test accuracy per label kind: mean over seeds with its 95% interval (bar) and each seed (dots)");
        }
        int seeds = data.Runs.Where(r => r.Fraction == main).Select(r => r.Seed).Distinct().Count();
        doc.Paragraph($"Test accuracy on the real test set with the best-by-validation weights: mean over {seeds} seed(s) with a 95% interval " +
                      "(bootstrap over seeds and test images); the difference to the baseline pairs the seeds by index and the images.");
    }
}
