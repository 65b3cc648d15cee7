using LabelRep.Labels;

namespace LabelRep.Reporting.Sections;

/// <summary>
/// The paper's claims with the verdicts <see cref="Claims"/> computes: each claim's scope, each kind's difference to
/// the baseline with its 95% interval, the verdict, the claim's logical form, how to read it, and what would change a
/// verdict that is still open. First, because it is what a reader wants.
/// </summary>
public sealed class ClaimsSection : IReportSection
{
    public string Name => "claims";
    public int Order => 10;

    public void Write(ReportDocument doc, StudyData data)
    {
        doc.Heading("The paper's claims");
        var claims = Claims.Evaluate(data);
        doc.Table(new[] { "claim", "scope", "measured (percentage points, 95% interval)", "verdict", "form (every part must hold)" },
            claims.Select(c => new[] { c.Claim, c.Scope, c.Measured, c.Verdict, c.Rule }));
        int judged = claims.Count(c => c.Differences.Count > 0 && !c.Verdict.StartsWith("no verdict", StringComparison.Ordinal));
        doc.Paragraph(
            $"How to read this: each number is a label kind's mean over seeds minus {LabelKinds.Baseline}'s, in percentage points, with a 95% interval. " +
            "The runs are paired by seed value and the images are the same for every kind; the interval is Student's t over the seeds' paired " +
            "differences, widened by the test images' own variance (which the seeds cannot show, since they share the images), with " +
            "Satterthwaite's degrees of freedom, pooled over datasets and models (docs/statistics.md; its coverage is checked by " +
            "'labelrep selftest calibration'). A claim's form is a conjunction of parts: it is supported when every part's interval lies on the " +
            "claimed side of its threshold, not supported when any part's interval lies on the other side, and inconclusive otherwise. " +
            $"A claim needs at least {Claims.MinSeeds} seeds on every arm it compares, and the same seeds on each. Thresholds: parity within " +
            $"{Claims.ParityPoints} point, a robustness gain above {Claims.RobustnessPoints} points, a data-efficiency gain above " +
            $"{Claims.EfficiencyPoints} point. A robustness number is the worst case over every attack that ran, averaged over the ε grid " +
            $"unless the claim names one ε. A verdict on today's attacks also needs {AttackGate.Minimum}, and no masking flag on the attacks " +
            "that set the worst case.");
        doc.Paragraph(
            $"Multiplicity: {judged} claim(s) were judged here, each at 95% on its own, with no correction for multiplicity; a 'supported' has " +
            $"at most a 2.5% chance of being wrong on its own, and across {judged} claims the chance that at least one is wrong can reach " +
            $"{Math.Min(100, judged * 2.5):0.#}%.");
        var draws = claims.SelectMany(c => c.Differences).Select(d => d.Draw).Where(d => d.Length > 0).Distinct().ToArray();
        if (draws.Length > 0)
        {
            doc.Subheading("Label draws");
            doc.List(draws);
        }
        var open = claims.Where(c => c.Verdict.StartsWith("inconclusive", StringComparison.Ordinal)).ToArray();
        if (open.Length == 0) return;
        doc.Subheading("What would change the verdict");
        doc.List(open.Select(c => $"{c.Claim}: {Change(c)}"));
    }

    /// <summary>For an inconclusive claim: per open part, the seeds (or images) that would settle it at 80% power, from the interval's own variance model.</summary>
    private static string Change(ClaimVerdict claim)
    {
        var parts = new List<string>();
        foreach (KindDifference d in claim.Differences.Where(d => !d.Meets && !d.Opposes))
        {
            string side = d.Difference.Estimate > d.Threshold ? "above" : "below";
            string draws = LabelKinds.IsDrawnAtRandom(d.Label) ? (d.Draw.Contains("per seed", StringComparison.Ordinal) ? " (each with its own label draw)" : " and as many label draws") : "";
            parts.Add(d.Plan switch
            {
                { Seeds: { } seeds } =>
                    $"{d.Label}: about {seeds} seeds{draws} would put its interval {side} {Format.Points(d.Threshold)} pt with 80% power, if its mean and noise stay as measured ({d.Seeds} now)",
                { Images: { } images } =>
                    $"{d.Label}: more seeds alone would not settle it, since the test images' own variance is wider than the gap; about {images.Images.ToString("N0", Format.Culture)} test images " +
                    $"with {images.AtSeeds} seeds{draws} would, with 80% power",
                _ => $"{d.Label}: its mean ({Format.Points(d.Difference.Estimate)} pt) is too close to the threshold for its noise; no realistic study would settle it " +
                     "(more than 1,000 seeds at these images, or more than 100 seeds with up to 10 million images)",
            });
        }
        return parts.Count > 0 ? string.Join("; ", parts) : claim.Verdict.Replace("inconclusive: ", "");
    }
}
