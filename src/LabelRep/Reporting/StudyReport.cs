using System.Globalization;
using System.Net;
using System.Text;
using LabelRep.Evaluation;
using LabelRep.IO;
using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// The study report, from results.db alone: report.html (self-contained, images embedded), report.md and the PNGs
/// beside them. Sections: accuracy, robustness (with gradient-masking flags), data efficiency, labels, features,
/// and the paper's claims with verdicts computed from the numbers.
/// </summary>
public static class StudyReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Write(string studyDir, StudyStore store)
    {
        StudySpec spec = store.GetValue("spec") is { } json ? StudySpec.FromJson(json, store.Path) : new StudySpec();
        var doc = new ReportDocument(studyDir);
        var runs = store.Results();
        var attacks = store.AttackResults();
        string[] labels = LabelKinds.Names.Where(l => runs.Any(r => r.Label == l)).Concat(runs.Select(r => r.Label).Distinct().Where(l => !LabelKinds.Names.Contains(l))).ToArray();
        double main = spec.MainFraction;

        doc.Title($"LabelRep study '{spec.Name}'");
        var (started, finished) = store.Span();
        var status = store.RunStatus();
        doc.Paragraph($"{(spec.Description.Length > 0 ? spec.Description + " " : "")}{status.Count(s => s.Status == "done")} of {status.Count} runs done" +
                      (started != null && finished != null ? $"; from {started[..19]}Z to {finished[..19]}Z ({(DateTime.Parse(finished, C) - DateTime.Parse(started, C)).TotalMinutes:F0} min)." : "."));
        doc.Paragraph("Written by `labelrep report` from results.db; every number below is read from it.");

        // Claims first: what a reader wants to know.
        doc.Heading("The paper's claims");
        var claims = Claims.Evaluate(runs, attacks, main);
        doc.Table(new[] { "claim", "measured", "verdict" }, claims.Select(c => new[] { c.Claim, c.Measured, c.Verdict }));
        doc.Paragraph($"Verdicts follow fixed rules (see Claims.cs): parity within {Claims.ParityPoints} point of categorical; robustness gain above {Claims.RobustnessPoints} points; " +
                      $"data-efficiency gain above {Claims.EfficiencyPoints} point. 'supported' when every high-dimensional kind passes, 'not supported' when none does.");

        Accuracy(doc, runs, labels, main);
        Robustness(doc, store, attacks, labels);
        Efficiency(doc, runs, labels);
        LabelSection(doc, store, labels);
        Features(doc, store, labels);
        doc.Save();
    }

    private static void Accuracy(ReportDocument doc, IReadOnlyList<RunResult> runs, string[] labels, double main)
    {
        doc.Heading($"Accuracy (training fraction {main:0.##})");
        var groups = runs.Where(r => r.Fraction == main).GroupBy(r => (r.Dataset, r.Model)).OrderBy(g => g.Key.Dataset).ThenBy(g => g.Key.Model).ToArray();
        if (groups.Length == 0)
        {
            doc.Paragraph("No main run has finished yet.");
            return;
        }
        var header = new List<string> { "label" };
        foreach (var g in groups) header.AddRange(new[] { $"{g.Key.Dataset} {g.Key.Model}", "Δ categorical" });
        var rows = labels.Select(label =>
        {
            var row = new List<string> { label };
            foreach (var g in groups)
            {
                double[] values = g.Where(r => r.Label == label).Select(r => r.TestAccuracy).ToArray();
                double[] baseline = g.Where(r => r.Label == "categorical").Select(r => r.TestAccuracy).ToArray();
                row.Add(values.Length == 0 ? "" : MeanStd(values));
                row.Add(values.Length == 0 || baseline.Length == 0 || label == "categorical" ? "" : $"{(values.Average() - baseline.Average()) * 100:+0.00;-0.00} pt");
            }
            return row.ToArray();
        });
        doc.Table(header.ToArray(), rows);
        int seeds = runs.Select(r => r.Seed).Distinct().Count();
        doc.Paragraph($"Test accuracy on the real test set, best-by-validation weights; mean ± std over {seeds} seed(s).");
    }

    private static void Robustness(ReportDocument doc, StudyStore store, IReadOnlyList<RunAttackResult> attacks, string[] labels)
    {
        doc.Heading("Robustness");
        if (attacks.Count == 0)
        {
            doc.Paragraph("No attack results yet.");
            return;
        }
        foreach (var protocol in attacks.GroupBy(a => a.Result.Protocol).OrderBy(g => g.Key == "paper" ? 0 : 1))
        {
            bool paper = protocol.Key == "paper";
            double scale = paper ? 1 : 255;
            foreach (var group in protocol.GroupBy(a => (a.Dataset, a.Model)))
            {
                int images = group.First().Result.Images;
                doc.Subheading($"{(paper ? "Paper protocol (ε in normalized units, the training loss)" : "Standard protocol (ε in pixels, CE and margin over class scores)")} — {group.Key.Dataset} {group.Key.Model}, {images} test images");
                var worst = group.Where(a => a.Result.Attack == AttackResult.WorstCase && !a.Result.Targeted).ToArray();
                double[] grid = worst.Select(a => a.Result.Eps).Distinct().OrderBy(e => e).ToArray();
                var series = labels.Where(l => worst.Any(a => a.Label == l)).Select(l => new PlotSeries(l, grid.Select(e => e * scale).ToArray(),
                    grid.Select(e => worst.Where(a => a.Label == l && a.Result.Eps == e).Average(a => a.Result.Accuracy)).ToArray())).ToList();
                doc.Image($"robustness-{protocol.Key}-{Slug(group.Key.Dataset)}-{group.Key.Model}.png",
                    LinePlot.Png($"Worst case over attacks ({protocol.Key} protocol)", paper ? "ε (normalized units)" : "ε (pixels, ×1/255)", "accuracy", series, yRange: (0, 1)),
                    "worst-case accuracy against ε, a line per label kind");
                string Eps(double e) => paper ? e.ToString("0.###", C) : $"{e * 255:0.#}/255";
                var attackNames = group.Select(a => (a.Result.Attack, a.Result.Loss, a.Result.Targeted)).Distinct()
                    .OrderBy(a => a.Targeted).ThenBy(a => a.Attack == AttackResult.WorstCase ? 1 : 0).ThenBy(a => a.Attack).ThenBy(a => a.Loss).ToArray();
                var header = new[] { "label", "attack/loss" }.Concat(grid.Select(Eps)).ToArray();
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
        }
        doc.Paragraph("Accuracy counts images classified correctly before and after the attack. Worst case: an image counts as robust only if every attack and loss failed on it.");
    }

    private static void Efficiency(ReportDocument doc, IReadOnlyList<RunResult> runs, string[] labels)
    {
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
            doc.Image($"efficiency-{Slug(group.Key.Dataset)}-{group.Key.Model}.png",
                LinePlot.Png($"Test accuracy against training data — {group.Key.Dataset} {group.Key.Model}", "training set used (%)", "test accuracy", series, logX: true),
                "accuracy against the training fraction (log axis), a line per label kind");
            var header = new[] { "label" }.Concat(fractions.Select(f => $"{f * 100:0.##}%")).ToArray();
            doc.Table(header, labels.Select(l => new[] { l }.Concat(fractions.Select(f =>
            {
                double[] v = group.Where(r => r.Label == l && r.Fraction == f).Select(r => r.TestAccuracy).ToArray();
                return v.Length == 0 ? "" : MeanStd(v);
            })).ToArray()));
            int[] trainImages = fractions.Select(f => group.Where(r => r.Fraction == f).Select(r => r.TrainImages).DefaultIfEmpty(0).Max()).ToArray();
            doc.Paragraph("Training images per fraction: " + string.Join(", ", fractions.Zip(trainImages, (f, n) => $"{f * 100:0.##}% = {n:N0}")) + ".");
        }
    }

    private static void LabelSection(ReportDocument doc, StudyStore store, string[] labels)
    {
        doc.Heading("Labels");
        var stats = store.LabelStatistics();
        doc.Table(new[] { "dataset", "label", "shape", "dimension", "min", "max", "entropy (bits)", "pairwise L2", "normalized L1" },
            stats.OrderBy(s => s.Dataset).ThenBy(s => Array.IndexOf(labels, s.Stats.Kind)).Select(s => new[]
            {
                s.Dataset, s.Stats.Kind, s.Stats.Shape, s.Stats.Dimension.ToString(C), s.Stats.Min.ToString("G3", C), s.Stats.Max.ToString("G3", C),
                $"{s.Stats.Entropy:F3} ± {s.Stats.EntropyStd:F2}", $"{s.Stats.PairwiseL2:F2} ± {s.Stats.PairwiseL2Std:F2}", s.Stats.NormalizedL1.ToString("F3", C),
            }));
        doc.Paragraph("Entropy: Shannon entropy of one label's values, mean over classes. Distances after a global min-max normalization to [0, 1] (paper-protocol §3.11).");
        foreach (var kind in store.LabelImages().GroupBy(i => (i.Dataset, i.Label)).OrderBy(g => Array.IndexOf(labels, g.Key.Label)))
        {
            if (kind.Key.Label == LabelKinds.Categorical) continue;
            doc.Gallery($"{kind.Key.Label} ({kind.Key.Dataset})", kind.Select(i => ($"label-{Slug(kind.Key.Dataset)}-{kind.Key.Label}-{i.Class}.png", i.Png)).ToArray());
        }
    }

    private static void Features(ReportDocument doc, StudyStore store, string[] labels)
    {
        var features = store.Features();
        doc.Heading("Features");
        if (features.Count == 0)
        {
            doc.Paragraph("No feature embeddings yet.");
            return;
        }
        var images = new List<(string, byte[])>();
        foreach (FeatureEmbedding f in features.OrderBy(f => Array.IndexOf(labels, f.Label)))
        {
            string[] classNames = store.GetValue($"classes:{f.Dataset}") is { } names ? System.Text.Json.JsonSerializer.Deserialize<string[]>(names)! : Array.Empty<string>();
            images.Add(($"tsne-{Slug(f.Dataset)}-{f.Model}-{f.Label}.png",
                LinePlot.ScatterPng($"{f.Label}: silhouette {f.Silhouette:F2}", f.X, f.Y, f.Classes, classNames)));
        }
        doc.Gallery("t-SNE of the backbone's penultimate features (test images), coloured by class", images.ToArray());
        doc.Table(new[] { "label", "dataset", "model", "images", "silhouette (t-SNE)", "nearest-centroid accuracy (features)" },
            features.OrderBy(f => Array.IndexOf(labels, f.Label)).Select(f => new[]
            {
                f.Label, f.Dataset, f.Model, f.X.Length.ToString(C), f.Silhouette.ToString("F3", C), f.CentroidAccuracy.ToString("P1", C),
            }));
    }

    private static string MeanStd(double[] v)
    {
        double mean = v.Average();
        if (v.Length == 1) return mean.ToString("P2", C);
        double std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return $"{mean * 100:F2} ± {std * 100:F2}%";
    }

    private static string Slug(string s) => new(s.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
}

/// <summary>Writes the same report as Markdown (images as files beside it) and as one self-contained HTML page.</summary>
internal sealed class ReportDocument
{
    private readonly string _dir;
    private readonly StringBuilder _md = new();
    private readonly StringBuilder _html = new();

    public ReportDocument(string dir) => _dir = dir;

    public void Title(string text)
    {
        _md.Append("# ").Append(text).Append("\n\n");
        _html.Append("<h1>").Append(E(text)).Append("</h1>\n");
        _title = text;
    }

    private string _title = "LabelRep study";

    public void Heading(string text)
    {
        _md.Append("## ").Append(text).Append("\n\n");
        _html.Append("<h2>").Append(E(text)).Append("</h2>\n");
    }

    public void Subheading(string text)
    {
        _md.Append("### ").Append(text).Append("\n\n");
        _html.Append("<h3>").Append(E(text)).Append("</h3>\n");
    }

    public void Paragraph(string text)
    {
        _md.Append(text).Append("\n\n");
        _html.Append("<p>").Append(E(text)).Append("</p>\n");
    }

    public void List(IEnumerable<string> items)
    {
        _html.Append("<ul>");
        foreach (string item in items)
        {
            _md.Append("- ").Append(item).Append('\n');
            _html.Append("<li>").Append(E(item)).Append("</li>");
        }
        _md.Append('\n');
        _html.Append("</ul>\n");
    }

    public void Table(string[] header, IEnumerable<string[]> rows, string? collapsible = null)
    {
        var all = rows.ToArray();
        _md.Append("| ").Append(string.Join(" | ", header.Select(Md))).Append(" |\n|").Append(string.Concat(header.Select(_ => "---|"))).Append('\n');
        foreach (string[] row in all) _md.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");
        _md.Append('\n');
        if (collapsible != null) _html.Append("<details><summary>").Append(E(collapsible)).Append("</summary>");
        _html.Append("<table><tr>").Append(string.Concat(header.Select(h => $"<th>{E(h)}</th>"))).Append("</tr>\n");
        foreach (string[] row in all)
            _html.Append("<tr>").Append(string.Concat(row.Select(c => $"<td class=\"{Class(c)}\">{E(c)}</td>"))).Append("</tr>\n");
        _html.Append("</table>\n");
        if (collapsible != null) _html.Append("</details>\n");
    }

    public void Image(string file, byte[] png, string caption)
    {
        AtomicFile.Write(Path.Combine(_dir, file), s => s.Write(png));
        _md.Append($"![{caption}]({file})\n\n");
        _html.Append($"<figure><img alt=\"{E(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{E(caption)}</figcaption></figure>\n");
    }

    public void Gallery(string caption, (string File, byte[] Png)[] images)
    {
        _md.Append("**").Append(caption).Append("**\n\n");
        _html.Append("<h4>").Append(E(caption)).Append("</h4><div class=\"gallery\">");
        foreach (var (file, png) in images)
        {
            AtomicFile.Write(Path.Combine(_dir, file), s => s.Write(png));
            _md.Append($"![{file}]({file}) ");
            _html.Append($"<img alt=\"{E(file)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");
        }
        _md.Append("\n\n");
        _html.Append("</div>\n");
    }

    public void Save()
    {
        AtomicFile.WriteText(Path.Combine(_dir, "report.md"), _md.ToString());
        string page = $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(_title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; }
            td.supported { background: #d9f2d9; } td.not-supported { background: #f8d7d7; } td.mixed { background: #fff3cd; }
            figure { margin: 1em 0; } img { max-width: 100%; }
            .gallery img { margin: 4px; border: 1px solid #ddd; }
            </style></head><body>
            {{_html}}
            </body></html>
            """;
        AtomicFile.WriteText(Path.Combine(_dir, "report.html"), page);
    }

    private static string Class(string cell) => cell switch
    {
        "supported" => "supported",
        "not supported" => "not-supported",
        "mixed" => "mixed",
        _ => "",
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string Md(string s) => s.Replace("|", "\\|");
}
