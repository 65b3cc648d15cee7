using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>One of the paper's claims, what a study measured (each kind's difference to the baseline with its 95% interval), and the verdict.</summary>
/// <param name="Rule">The threshold and the side the claim needs, printed with the verdict.</param>
/// <param name="Differences">Per label kind: its difference to the baseline (share of images) with the interval, and whether the claim expects it above the threshold.</param>
public sealed record ClaimVerdict(string Claim, string Measured, string Verdict, string Rule, IReadOnlyList<KindDifference> Differences);

/// <summary>A label kind's difference to the baseline on one claim's measure.</summary>
public sealed record KindDifference(string Label, Interval Difference, bool ExpectAbove, double Threshold, int? SeedsToClear, int Seeds);

/// <summary>
/// Checks the paper's claims against a study's numbers with uncertainty. Every compared number is a paired bootstrap
/// over seeds (paired by index) and test images (the same images) of the main runs, pooled over datasets and models.
/// A claim is "supported" only when every high-dimensional kind's interval lies on the claimed side of the threshold,
/// "not supported" when every one lies on the other side, and "inconclusive" otherwise, with the reason. A robustness
/// claim under today's attacks also needs an evaluation that meets <see cref="AttackGate"/>. The kinds' roles come
/// from their <see cref="LabelRole"/>, so a new kind joins the claims by declaring one.
/// </summary>
public static class Claims
{
    public const double ParityPoints = 1.0;
    public const double RobustnessPoints = 2.0;
    public const double EfficiencyPoints = 1.0;

    /// <summary>Seeds a verdict needs: with fewer, the seed-to-seed noise is not measured at all.</summary>
    public const int MinSeeds = 2;

    public static IReadOnlyList<ClaimVerdict> Evaluate(StudyData data)
    {
        var measures = new ClaimMeasures(data);
        var verdicts = new List<ClaimVerdict>();
        string baseline = LabelKinds.Baseline;
        double main = data.MainFraction;

        verdicts.Add(Judge(measures, "High-dimensional labels match categorical accuracy", $"test accuracy minus {baseline}'s; parity: the interval above −{ParityPoints} point",
            kind => measures.Accuracy(kind, main), -ParityPoints, controlsExpected: null));

        foreach (string protocol in data.Attacks.Select(a => a.Result.Protocol).Distinct().Where(p => AttackProtocol.Parse(p).NormalizedSpace).OrderBy(p => p))
        {
            string title = protocol == AttackProtocol.Paper.Name
                ? "High-dimensional labels are more robust to adversarial attacks (the paper's evaluation: its FGSM and iterative attacks as the official code runs them)"
                : $"High-dimensional labels are more robust to adversarial attacks (the paper's attacks with the official code's bugs fixed: {protocol})";
            verdicts.Add(Judge(measures, title, $"worst-case robust accuracy over ε > 0 minus {baseline}'s; gain: the interval above +{RobustnessPoints} points",
                kind => measures.Robust(kind, protocol), RobustnessPoints, controlsExpected: null));
        }

        string standard = AttackProtocol.Standard.Name;
        // The robustness claim judges the high-dimensional kinds against the baseline, so a flag on a control does not
        // block it; the explanation below judges the controls too, so it needs every kind's evaluation to pass.
        string gate = AttackGate.Check(data, standard, kind => LabelKinds.RoleOf(kind) is LabelRole.Baseline or LabelRole.HighDimensional);
        string gateAll = AttackGate.Check(data, standard, kind => LabelKinds.RoleOf(kind) is LabelRole.Baseline or LabelRole.HighDimensional or LabelRole.Control);
        verdicts.Add(gate.Length > 0 && data.Attacks.Any(a => a.Result.Protocol == standard)
            ? new ClaimVerdict(StandardClaim, $"standard protocol: {gate}", $"inconclusive: {gate}", GateRule, Array.Empty<KindDifference>())
            : Judge(measures, StandardClaim, $"worst-case robust accuracy over ε > 0 minus {baseline}'s ({AttackGate.Minimum}); gain: the interval above +{RobustnessPoints} points",
                kind => measures.Robust(kind, standard), RobustnessPoints, controlsExpected: null));

        double smallest = data.Runs.Select(r => r.Fraction).DefaultIfEmpty(main).Min();
        verdicts.Add(smallest < main
            ? Judge(measures, $"High-dimensional labels learn more from little data ({smallest * 100:0.##}% of the training set)",
                $"test accuracy minus {baseline}'s; gain: the interval above +{EfficiencyPoints} point", kind => measures.Accuracy(kind, smallest), EfficiencyPoints, controlsExpected: null)
            : NotMeasured("High-dimensional labels learn more from little data", "no run below the main training fraction"));

        // The explanation: high-dimensional, high-entropy kinds gain robustness, the controls do not.
        string protocolFor5 = data.Attacks.Any(a => a.Result.Protocol == standard) && gateAll.Length == 0 ? standard
            : data.Attacks.Any(a => a.Result.Protocol == AttackProtocol.Paper.Name) ? AttackProtocol.Paper.Name : "";
        verdicts.Add(protocolFor5.Length == 0
            ? NotMeasured(ExplanationClaim, gateAll.Length > 0 ? $"inconclusive: {gateAll}" : "needs attacks on both groups")
            : Judge(measures, ExplanationClaim + $" ({protocolFor5} protocol)",
                $"robustness gain over {baseline}: high-dimensional kinds' intervals above +{RobustnessPoints} points, the controls' below it",
                kind => measures.Robust(kind, protocolFor5), RobustnessPoints, controlsExpected: false));

        if (data.Attacks.Any(a => a.Result.Protocol == standard))
            verdicts.AddRange(BeyondThePaper(data, measures, standard));
        return verdicts;
    }

    /// <summary>
    /// The beyond-the-paper questions, when the study has their arms: are the later label geometries (hadamard, mmc,
    /// label smoothing) more robust than categorical under plain training; and does a label geometry (those and the
    /// paper's high-dimensional kinds) add robustness on top of adversarial training (each regime's arms against its
    /// categorical arm). The controlled family is an instrument: the label-properties section reads it.
    /// </summary>
    private static IEnumerable<ClaimVerdict> BeyondThePaper(StudyData data, ClaimMeasures measures, string standard)
    {
        string baseline = LabelKinds.Baseline;
        var alternatives = data.Labels.Where(l => LabelKinds.RoleOf(l) == LabelRole.Alternative).ToArray();
        if (alternatives.Length > 0)
            yield return Gated(data, measures, "Later label geometries are more robust than categorical labels (standard protocol, plain training)",
                $"worst-case robust accuracy over ε > 0 minus {baseline}'s; gain: the interval above +{RobustnessPoints} points",
                alternatives, baseline, standard);
        foreach (string regime in data.Labels.Select(StudyRun.RegimeOf).Where(r => r.Length > 0).Distinct())
        {
            string armBaseline = $"{baseline}{LabelKinds.ArmSeparator}{regime}";
            var arms = data.Labels.Where(l => StudyRun.RegimeOf(l) == regime && l != armBaseline
                && LabelKinds.RoleOf(StudyRun.LabelOf(l)) is LabelRole.HighDimensional or LabelRole.Alternative).ToArray();
            if (arms.Length == 0 || !data.Labels.Contains(armBaseline)) continue;
            yield return Gated(data, measures, $"A label geometry adds robustness on top of adversarial training ({regime}; standard protocol)",
                $"worst-case robust accuracy over ε > 0 minus {armBaseline}'s; gain: the interval above +{RobustnessPoints} points",
                arms, armBaseline, standard);
        }
    }

    /// <summary>A robustness claim over <paramref name="arms"/> against <paramref name="baselineArm"/>, gated on the attack's strength on exactly those runs.</summary>
    private static ClaimVerdict Gated(StudyData data, ClaimMeasures measures, string claim, string rule, string[] arms, string baselineArm, string standard)
    {
        string gate = AttackGate.Check(data, standard, arm => arms.Contains(arm) || arm == baselineArm);
        return gate.Length > 0
            ? new ClaimVerdict(claim, $"standard protocol: {gate}", $"inconclusive: {gate}", GateRule, Array.Empty<KindDifference>())
            : Judge(measures, claim, rule, kind => measures.Robust(kind, standard, baselineArm), RobustnessPoints, controlsExpected: null, arms);
    }

    private const string StandardClaim = "The robustness survives today's attacks (standard protocol, gated on the attack's strength)";
    private const string ExplanationClaim = "High-dimensional, high-entropy labels help; constant and low-dimensional labels do not";
    private static readonly string GateRule = $"a verdict needs {AttackGate.Minimum} and no masking flag on the attack that sets the worst case";

    private static ClaimVerdict NotMeasured(string claim, string why) => new(claim, why, "not measured", "", Array.Empty<KindDifference>());

    /// <summary>
    /// The three-way rule over the kinds the claim is about: the high-dimensional ones (expected above the threshold)
    /// and, with <paramref name="controlsExpected"/> false, the controls (expected below it).
    /// </summary>
    /// <param name="judged">The arms the claim is about, all expected above the threshold (default: the high-dimensional kinds, and the controls per <paramref name="controlsExpected"/>).</param>
    private static ClaimVerdict Judge(ClaimMeasures measures, string claim, string rule, Func<string, IReadOnlyList<PairedGroup>?> groups, double thresholdPoints,
        bool? controlsExpected, IReadOnlyList<string>? judged = null)
    {
        double threshold = thresholdPoints / 100;
        var differences = new List<KindDifference>();
        foreach (string kind in judged ?? measures.Kinds(LabelRole.HighDimensional).Concat(controlsExpected is null ? Array.Empty<string>() : measures.Kinds(LabelRole.Control)))
        {
            var paired = groups(kind);
            if (paired is not { Count: > 0 }) continue;
            bool above = LabelKinds.RoleOf(kind) != LabelRole.Control || controlsExpected == true;
            differences.Add(new KindDifference(kind, Bootstrap.Difference(paired), above, threshold, Bootstrap.SeedsToClear(paired[0], threshold),
                paired.Min(g => g.Baseline.Length)));
        }
        // Controls shown for information when the claim is about the high-dimensional kinds only.
        var shownControls = controlsExpected is null && judged is null
            ? measures.Kinds(LabelRole.Control).Select(k => (k, groups(k))).Where(x => x.Item2 is { Count: > 0 }).Select(x => $"{x.k} {Bootstrap.Difference(x.Item2!).Points()}").ToArray()
            : Array.Empty<string>();
        if (differences.Count == 0) return NotMeasured(claim, measures.Missing);
        string measured = string.Join(", ", differences.Select(d => $"{d.Label} {d.Difference.Points()} pt")) +
                          (shownControls.Length > 0 ? $" (controls: {string.Join(", ", shownControls.Select(c => c + " pt"))})" : "");
        bool Meets(KindDifference d) => d.ExpectAbove ? d.Difference.Lower > d.Threshold : d.Difference.Upper < d.Threshold;
        bool Opposes(KindDifference d) => d.ExpectAbove ? d.Difference.Upper < d.Threshold : d.Difference.Lower > d.Threshold;
        string verdict;
        int seeds = differences.Min(d => d.Seeds);
        if (seeds < MinSeeds) verdict = $"inconclusive: too few seeds ({seeds}; a verdict needs {MinSeeds} to measure the seed-to-seed noise)";
        else if (differences.All(Meets)) verdict = "supported";
        else if (differences.All(Opposes)) verdict = "not supported";
        else if (differences.Any(d => !Meets(d) && !Opposes(d)))
            verdict = $"inconclusive: intervals straddle the threshold ({string.Join(", ", differences.Where(d => !Meets(d) && !Opposes(d)).Select(d => d.Label))})";
        else verdict = $"inconclusive: the kinds disagree ({string.Join(", ", differences.Where(Meets).Select(d => d.Label))} as claimed; {string.Join(", ", differences.Where(Opposes).Select(d => d.Label))} not)";
        return new ClaimVerdict(claim, measured, verdict, rule, differences);
    }
}
