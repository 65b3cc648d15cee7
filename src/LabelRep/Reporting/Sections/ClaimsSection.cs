using LabelRep.Labels;

namespace LabelRep.Reporting.Sections;

/// <summary>
/// The paper's claims with the verdicts <see cref="Claims"/> computes: each kind's difference to the baseline with its
/// 95% interval, the rule, how to read it, and what would change an inconclusive verdict. First, because it is what a
/// reader wants.
/// </summary>
public sealed class ClaimsSection : IReportSection
{
    public void Write(ReportDocument doc, StudyData data)
    {
        doc.Heading("The paper's claims");
        var claims = Claims.Evaluate(data);
        doc.Table(new[] { "claim", "measured (percentage points, 95% interval)", "verdict", "rule" },
            claims.Select(c => new[] { c.Claim, c.Measured, c.Verdict, c.Rule }));
        doc.Paragraph(
            $"How to read this: each number is a label kind's mean over seeds minus {LabelKinds.Baseline}'s, in percentage points, with a 95% interval from a " +
            $"paired bootstrap ({Bootstrap.Resamples:N0} resamples of the seeds, paired by their index, and of the test images, the same images for every kind). " +
            "A claim is supported only when the interval of every kind it is about lies on the claimed side of the threshold, not supported when every one lies " +
            $"on the other side, and inconclusive otherwise, with the reason. Thresholds: parity within {Claims.ParityPoints} point, a robustness gain above " +
            $"{Claims.RobustnessPoints} points, a data-efficiency gain above {Claims.EfficiencyPoints} point. A verdict on today's attacks also needs " +
            $"{AttackGate.Minimum}, with no masking flag on the attack that sets the worst case.");
        var open = claims.Where(c => c.Verdict.StartsWith("inconclusive", StringComparison.Ordinal)).ToArray();
        if (open.Length == 0) return;
        doc.Subheading("What would change the verdict");
        doc.List(open.Select(c => $"{c.Claim}: {Change(c)}"));
    }

    /// <summary>For an inconclusive claim: the seeds each straddling kind would need, from the measured noise, or the attack it lacks.</summary>
    private static string Change(ClaimVerdict claim)
    {
        if (claim.Differences.Count == 0) return claim.Verdict.Replace("inconclusive: ", "");
        var parts = new List<string>();
        foreach (KindDifference d in claim.Differences)
        {
            bool meets = d.ExpectAbove ? d.Difference.Lower > d.Threshold : d.Difference.Upper < d.Threshold;
            bool opposes = d.ExpectAbove ? d.Difference.Upper < d.Threshold : d.Difference.Lower > d.Threshold;
            if (meets || opposes) continue;
            parts.Add(d.SeedsToClear is { } seeds
                ? $"{d.Label}'s interval would clear the threshold ({(d.Difference.Estimate > d.Threshold ? "above" : "below")} it, where its mean is) with about {seeds} seeds at the same mean and noise ({d.Seeds} now)"
                : $"{d.Label}'s mean sits on the threshold: more seeds would not settle it");
        }
        return parts.Count > 0 ? string.Join("; ", parts) : claim.Verdict.Replace("inconclusive: ", "");
    }
}
