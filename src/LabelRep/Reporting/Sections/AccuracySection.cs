using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>Test accuracy per label kind at the main training fraction, and its difference to the baseline.</summary>
public sealed class AccuracySection : IReportSection
{
    public void Write(ReportDocument doc, StudyData data)
    {
        IReadOnlyList<RunResult> runs = data.Runs;
        string[] labels = data.Labels;
        double main = data.MainFraction;
        doc.Heading($"Accuracy (training fraction {main:0.##})");
        var groups = runs.Where(r => r.Fraction == main).GroupBy(r => (r.Dataset, r.Model)).OrderBy(g => g.Key.Dataset).ThenBy(g => g.Key.Model).ToArray();
        if (groups.Length == 0)
        {
            doc.Paragraph("No main run has finished yet.");
            return;
        }
        var header = new List<string> { "label" };
        foreach (var g in groups) header.AddRange(new[] { $"{g.Key.Dataset} {g.Key.Model}", $"Δ {LabelKinds.Baseline}" });
        var rows = labels.Select(label =>
        {
            var row = new List<string> { label };
            foreach (var g in groups)
            {
                double[] values = g.Where(r => r.Label == label).Select(r => r.TestAccuracy).ToArray();
                double[] baseline = g.Where(r => LabelKinds.IsBaseline(r.Label)).Select(r => r.TestAccuracy).ToArray();
                row.Add(values.Length == 0 ? "" : Format.MeanStd(values));
                row.Add(values.Length == 0 || baseline.Length == 0 || LabelKinds.IsBaseline(label) ? "" : $"{(values.Average() - baseline.Average()) * 100:+0.00;-0.00} pt");
            }
            return row.ToArray();
        });
        doc.Table(header.ToArray(), rows);
        int seeds = runs.Select(r => r.Seed).Distinct().Count();
        doc.Paragraph($"Test accuracy on the real test set, best-by-validation weights; mean ± std over {seeds} seed(s).");
    }
}
