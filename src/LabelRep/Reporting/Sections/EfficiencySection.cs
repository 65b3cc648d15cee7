using System.Globalization;
using LabelRep.IO;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>Data efficiency: test accuracy against the training fraction, per label kind.</summary>
public sealed class EfficiencySection : IReportSection
{
    public string Name => "efficiency";
    public int Order => 40;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public void Write(ReportDocument doc, StudyData data)
    {
        IReadOnlyList<RunResult> runs = data.Runs;
        string[] labels = data.Labels;
        double[] fractions = runs.Select(r => r.Fraction).Distinct().OrderBy(f => f).ToArray();
        doc.Heading("Data efficiency");
        if (fractions.Length < 2)
        {
            doc.Paragraph("Only one training fraction has finished runs.");
            return;
        }
        foreach (var group in runs.GroupBy(r => (r.Dataset, r.Model)))
        {
            var series = labels.Where(l => group.Any(r => r.Label == l)).Select(l =>
            {
                double[] fs = fractions.Where(f => group.Any(r => r.Label == l && r.Fraction == f)).ToArray();
                return new PlotSeries(l, fs.Select(f => f * 100).ToArray(), fs.Select(f => group.Where(r => r.Label == l && r.Fraction == f).Average(r => r.TestAccuracy)).ToArray());
            }).ToList();
            doc.Image($"efficiency-{FileNames.Safe(group.Key.Dataset)}-{group.Key.Model}.png",
                Charts.Lines($"Test accuracy against training data — {group.Key.Dataset} {group.Key.Model}", "training set used (%)", "test accuracy", series, logX: true),
                "accuracy against the training fraction (log axis), a line per label kind");
            var header = new[] { "label" }.Concat(fractions.Select(f => $"{f * 100:0.##}%")).ToArray();
            doc.Table(header, labels.Select(l => new[] { l }.Concat(fractions.Select(f =>
            {
                double[] v = group.Where(r => r.Label == l && r.Fraction == f).Select(r => r.TestAccuracy).ToArray();
                return v.Length == 0 ? "" : Format.MeanStd(v);
            })).ToArray()));
            int[] trainImages = fractions.Select(f => group.Where(r => r.Fraction == f).Select(r => r.TrainImages).DefaultIfEmpty(0).Max()).ToArray();
            doc.Paragraph("Training images per fraction: " + string.Join(", ", fractions.Zip(trainImages, (f, n) => $"{f * 100:0.##}% = {n:N0}")) + ".");
        }
    }
}
