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
    public string Name => "accuracy";
    public int Order => 20;

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
                var kind = data.PerSeed(g, label, data.Correct);
                var baseline = data.PerSeed(g, LabelKinds.Baseline, data.Correct);
                double[] values = g.Where(r => r.Label == label).Select(r => r.TestAccuracy).ToArray();
                row.Add(values.Length == 0 ? "" : kind is { } k && k.Seeds.Length >= SeedImageInterval.MinSeeds ? SeedImageInterval.Mean(new[] { k.Values }).Percent() : Format.MeanStd(values));
                row.Add(kind is not { } o || baseline is not { } b || LabelKinds.IsBaseline(label) || o.Seeds.Length < SeedImageInterval.MinSeeds ? ""
                    : !o.Seeds.SequenceEqual(b.Seeds) ? "other seeds"
                    : SeedImageInterval.Difference(new[] { new PairedGroup(b.Values, o.Values) }).Points());
            }
            return row.ToArray();
        });
        doc.Table(header.ToArray(), rows);
        foreach (var g in groups)
        {
            var perSeed = data.Labels.Select(l => (Label: l, Values: data.PerSeed(g, l, data.Correct))).Where(x => x.Values is { Seeds.Length: >= SeedImageInterval.MinSeeds }).ToArray();
            if (perSeed.Length == 0) continue;
            string[] names = perSeed.Select(x => x.Label).ToArray();
            var intervals = perSeed.Select(x => SeedImageInterval.Mean(new[] { x.Values!.Value.Values })).ToArray();
            doc.Image($"accuracy-{FileNames.Safe(g.Key.Dataset)}-{g.Key.Model}.png",
                Charts.Categories($"Test accuracy — {g.Key.Dataset} {g.Key.Model}", "test accuracy", names, intervals.Select(i => i.Estimate).ToArray(),
                    intervals.Select(i => i.Lower).ToArray(), intervals.Select(i => i.Upper).ToArray(),
                    names.Select(l => g.Where(r => r.Label == l).OrderBy(r => r.Seed).Select(r => r.TestAccuracy).ToArray()).ToArray()),
                "test accuracy per label kind: mean over seeds with its 95% interval (bar) and each seed (dots)");
        }
        int seeds = data.Runs.Where(r => r.Fraction == main).Select(r => r.Seed).Distinct().Count();
        doc.Paragraph($"Test accuracy on the real test set with the best-by-validation weights: mean over {seeds} seed(s) with a 95% interval " +
                      "(Student's t over the seeds, with the test images' shared variance added; docs/statistics.md); the difference to the baseline " +
                      "pairs the runs by seed value and the images. A kind with one seed shows its accuracy without an interval.");
    }
}
