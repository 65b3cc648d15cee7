using System.Globalization;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting.Sections;

/// <summary>The label banks: statistics (entropy, distances) and a gallery of their first classes.</summary>
public sealed class LabelsSection : IReportSection
{
    public string Name => "labels";
    public int Order => 50;

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public void Write(ReportDocument doc, StudyData data)
    {
        StudyStore store = data.Store;
        string[] labels = data.Labels;
        doc.Heading("Labels");
        var stats = store.LabelStatistics();
        doc.Table(new[] { "dataset", "label", "shape", "dimension", "min", "max", "entropy (bits)", "pairwise L2", "closest pair L2", "rank", "normalized L1" },
            stats.OrderBy(s => s.Dataset).ThenBy(s => Array.IndexOf(labels, s.Stats.Kind)).Select(s => new[]
            {
                s.Dataset, s.Stats.Kind, s.Stats.Shape, s.Stats.Dimension.ToString(C), s.Stats.Min.ToString("G3", C), s.Stats.Max.ToString("G3", C),
                $"{s.Stats.Entropy:F3} ± {s.Stats.EntropyStd:F2}", $"{s.Stats.PairwiseL2:F2} ± {s.Stats.PairwiseL2Std:F2}",
                double.IsNaN(s.Stats.MinPairwiseL2) ? "" : s.Stats.MinPairwiseL2.ToString("F2", C), s.Stats.Rank < 0 ? "" : s.Stats.Rank.ToString(C),
                s.Stats.NormalizedL1.ToString("F3", C),
            }));
        doc.Paragraph("Entropy: Shannon entropy of one label's values, mean over classes. Distances after a global min-max normalization to [0, 1] (as the official code's get_distances.py does); the closest pair is the smallest of them. Rank: of the C × d label matrix.");
        var banks = data.Runs.Where(r => r.LabelBank != null).Select(r => (r.Dataset, r.Label, Bank: r.LabelBank!)).Distinct().ToArray();
        if (banks.Length > 0)
            doc.Table(new[] { "dataset", "label", "bank the runs trained on" }, banks.Select(b => new[] { b.Dataset, b.Label, b.Bank }));
        foreach (var kind in store.LabelImages().GroupBy(i => (i.Dataset, i.Label)).OrderBy(g => Array.IndexOf(labels, g.Key.Label)))
        {
            if (LabelKinds.IsBaseline(kind.Key.Label)) continue;
            doc.Gallery($"{kind.Key.Label} ({kind.Key.Dataset})", kind.Select(i => ($"label-{FileNames.Safe(kind.Key.Dataset)}-{FileNames.Safe(kind.Key.Label)}-{i.Class}.png", i.Png)).ToArray());
        }
    }
}
