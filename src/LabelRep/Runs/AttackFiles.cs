using System.Text.Json;
using LabelRep.Evaluation;
using LabelRep.IO;

namespace LabelRep.Runs;

/// <summary>
/// A run's attack results on disk: attacks.json (every sweep's report, one per protocol, with its flags),
/// attacks.csv (all rows) and attacks-PROTOCOL.png (drawn by the caller). A new sweep replaces the old one of the
/// same protocol and keeps the others. Every file is written atomically.
/// </summary>
public static class AttackFiles
{
    public static string JsonPath(RunDirectory run) => run.Combine("attacks.json");
    public static string CsvPath(RunDirectory run) => run.Combine("attacks.csv");
    public static string PlotPath(RunDirectory run, string protocol) => run.Combine($"attacks-{protocol}.png");

    /// <summary>Where a sweep of <paramref name="protocol"/> records its finished batches until it ends (<see cref="SweepJournal"/>).</summary>
    public static string JournalPath(RunDirectory run, string protocol) => run.Combine($"attacks-{protocol}.journal");

    public static IReadOnlyList<AttackReport> Load(RunDirectory run)
    {
        string path = JsonPath(run);
        if (!Path.Exists(path)) return Array.Empty<AttackReport>();
        return JsonFile.Read<List<AttackReport>>(path, "LabelRep attack results file (delete it to start over)", TrainConfig.Json);
    }

    /// <summary>
    /// Adds the report (replacing one of the same protocol) and rewrites the JSON, the CSV and, when given, the report's
    /// plot, as one set: a failed write leaves all three as they were.
    /// </summary>
    public static void Save(RunDirectory run, AttackReport report, byte[]? png = null)
    {
        var reports = Load(run).Where(r => r.Protocol != report.Protocol).Append(report)
            .OrderBy(r => r.Protocol, StringComparer.Ordinal).ToList();
        var files = new List<(string, Action<Stream>)>
        {
            (JsonPath(run), AtomicFile.Text(JsonSerializer.Serialize(reports, TrainConfig.Json))),
            (CsvPath(run), AtomicFile.Text(AttackReport.ToCsv(reports.SelectMany(r => r.Results)))),
        };
        if (png != null) files.Add((PlotPath(run, report.Protocol), AtomicFile.Bytes(png)));
        AtomicFile.WriteSet(files);
    }
}
