using LabelRep.Labels;

namespace LabelRep.Reporting.Sections;

/// <summary>The paper's claims with the verdicts <see cref="Claims"/> computes from the numbers; first, because it is what a reader wants.</summary>
public sealed class ClaimsSection : IReportSection
{
    public void Write(ReportDocument doc, StudyData data)
    {
        doc.Heading("The paper's claims");
        var claims = Claims.Evaluate(data.Runs, data.Attacks, data.MainFraction);
        doc.Table(new[] { "claim", "measured", "verdict" }, claims.Select(c => new[] { c.Claim, c.Measured, c.Verdict }));
        doc.Paragraph($"Verdicts follow fixed rules (see Claims.cs): parity within {Claims.ParityPoints} point of {LabelKinds.Baseline}; robustness gain above {Claims.RobustnessPoints} points; " +
                      $"data-efficiency gain above {Claims.EfficiencyPoints} point. 'supported' when every high-dimensional kind passes, 'not supported' when none does.");
    }
}
