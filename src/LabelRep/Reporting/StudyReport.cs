using System.Globalization;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// The study report, from results.db alone: report.html (self-contained, images embedded), report.md and the PNGs
/// beside them: a header, then each of <see cref="Sections"/> in order.
/// </summary>
public static class StudyReport
{
    /// <summary>The report's sections (every <see cref="IReportSection"/> class, by <see cref="IReportSection.Order"/>): a new section is one class in Sections/.</summary>
    public static Registry<IReportSection> Registry { get; } = new("report section", all => all.OrderBy(s => s.Order).ThenBy(s => s.Name, StringComparer.Ordinal));

    public static IReadOnlyList<IReportSection> Sections => Registry.All;

    public static void Write(string studyDir, StudyStore store)
    {
        var data = new StudyData(store);
        var doc = new ReportDocument(studyDir);
        var c = CultureInfo.InvariantCulture;
        doc.Title($"LabelRep study '{data.Spec.Name}'");
        var (started, finished) = store.Span();
        var status = store.RunStatus();
        doc.Paragraph($"{(data.Spec.Description.Length > 0 ? data.Spec.Description + " " : "")}{status.Count(s => s.Status == "done")} of {status.Count} runs done" +
                      (started != null && finished != null ? $"; from {started[..19]}Z to {finished[..19]}Z ({(DateTime.Parse(finished, c) - DateTime.Parse(started, c)).TotalMinutes:F0} min)." : "."));
        doc.Paragraph("Written by `labelrep report` from results.db; every number below is read from it.");
        foreach (IReportSection section in Sections) section.Write(doc, data);
        doc.Save();
    }
}
