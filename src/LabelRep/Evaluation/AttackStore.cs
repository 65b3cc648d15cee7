using System.Text.Json;
using LabelRep.IO;
using LabelRep.Reporting;
using LabelRep.Training;

namespace LabelRep.Evaluation;

/// <summary>
/// A run's attack results on disk: attacks.json (every sweep's report, one per protocol, with its flags),
/// attacks.csv (all rows) and attacks-PROTOCOL.png (accuracy against ε). A new sweep replaces the old one of the
/// same protocol and keeps the others. Every file is written atomically.
/// </summary>
public static class AttackStore
{
    public static string JsonPath(RunDirectory run) => run.Combine("attacks.json");
    public static string CsvPath(RunDirectory run) => run.Combine("attacks.csv");
    public static string PlotPath(RunDirectory run, string protocol) => run.Combine($"attacks-{protocol}.png");

    public static IReadOnlyList<AttackReport> Load(RunDirectory run)
    {
        string path = JsonPath(run);
        if (!File.Exists(path)) return Array.Empty<AttackReport>();
        try
        {
            return JsonSerializer.Deserialize<List<AttackReport>>(File.ReadAllText(path), TrainConfig.Json) ?? new List<AttackReport>();
        }
        catch (JsonException e)
        {
            throw new LabelRepException($"{path}: not a LabelRep attack results file ({e.Message}); delete it to start over");
        }
    }

    /// <summary>Adds the report (replacing one of the same protocol) and rewrites the JSON, the CSV and the report's plot.</summary>
    public static void Save(RunDirectory run, AttackReport report)
    {
        var reports = Load(run).Where(r => r.Protocol != report.Protocol).Append(report)
            .OrderBy(r => r.Protocol, StringComparer.Ordinal).ToList();
        AtomicFile.WriteText(JsonPath(run), JsonSerializer.Serialize(reports, TrainConfig.Json));
        AtomicFile.WriteText(CsvPath(run), AttackReport.ToCsv(reports.SelectMany(r => r.Results)));
        byte[] png = Plot(report, $"{report.Run}: {report.Protocol} protocol, {report.Images} test images");
        AtomicFile.Write(PlotPath(run, report.Protocol), s => s.Write(png));
    }

    /// <summary>Accuracy against ε, a line per attack and loss (targeted dashed), the worst case in the legend too.</summary>
    public static byte[] Plot(AttackReport report, string title)
    {
        string unit = report.Protocol == AttackProtocol.Paper.Name ? "ε (normalized units)" : "ε (pixels, ×1/255)";
        double scale = report.Protocol == AttackProtocol.Paper.Name ? 1 : 255;
        var series = report.Results.GroupBy(r => r.Series)
            .Select(g => g.OrderBy(r => r.Eps).ToArray())
            .Select(rows => new PlotSeries(rows[0].Series, rows.Select(r => r.Eps * scale).ToArray(), rows.Select(r => r.Accuracy).ToArray(), rows[0].Targeted))
            .ToList();
        return LinePlot.Png(title, unit, "accuracy", series, yRange: (0, 1));
    }
}
