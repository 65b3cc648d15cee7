using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>One of the paper's claims, what a study measured (each kind's difference to the baseline with its 95% interval), and the verdict.</summary>
/// <param name="Rule">The claim's logical form: the parts that must all meet, each a kind's side of a threshold.</param>
/// <param name="Differences">The parts: per label kind, its difference to the baseline (share of images) with the interval, and the side the claim expects.</param>
/// <param name="Scope">What the verdict is about: datasets, backbones, epochs, training fraction, seeds, images, ε, the attack budget, the label draws.</param>
public sealed record ClaimVerdict(string Claim, string Measured, string Verdict, string Rule, IReadOnlyList<KindDifference> Differences, string Scope = "")
{
    /// <summary>Whether the claim got a verdict that says something (supported or not supported).</summary>
    public bool Decided => Verdict == "supported" || Verdict.StartsWith("not supported", StringComparison.Ordinal);
}

/// <summary>One part of a claim: a label kind's difference to its baseline arm, and the side of the threshold the claim expects.</summary>
/// <param name="Plan">What would settle the part if it is undecided (seeds, or images), from the same variance model as the interval.</param>
/// <param name="Draw">How the kind's labels were drawn, when they are drawn at random: "" for fixed kinds.</param>
public sealed record KindDifference(string Label, Interval Difference, bool ExpectAbove, double Threshold, Plan? Plan, int Seeds, string Draw = "")
{
    /// <summary>The interval lies on the claimed side of the threshold.</summary>
    public bool Meets => ExpectAbove ? Difference.Lower > Threshold : Difference.Upper < Threshold;

    /// <summary>The interval lies on the other side: the part clearly opposes the claim.</summary>
    public bool Opposes => ExpectAbove ? Difference.Upper < Threshold : Difference.Lower > Threshold;

    /// <summary>The interval excludes 0: there is an effect, whatever its size.</summary>
    public bool Significant => Difference.Lower > 0 || Difference.Upper < 0;

    /// <summary>"speech > +2 pt", the part as the claim's form writes it.</summary>
    public string Form => $"{Label} {(ExpectAbove ? ">" : "<")} {Format.Points(Threshold)} pt";
}

/// <summary>
/// Checks the paper's claims against a study's numbers with uncertainty. Every claim declares its logical form, a
/// conjunction of parts (a kind's difference to its baseline arm on one side of a threshold), and gets:
/// "supported" iff every part meets (its 95% interval lies on the claimed side), "not supported" iff any part clearly
/// opposes (its interval lies on the other side), and otherwise "inconclusive" with the parts still open. "no verdict"
/// when the evidence cannot carry an honest interval (fewer than <see cref="MinSeeds"/> seeds, arms on different
/// seeds). Intervals come from <see cref="SeedImageInterval"/> (seeds as the unit, the images' shared variance added),
/// pooled over datasets and models. A robustness claim under today's attacks also needs an evaluation that meets
/// <see cref="AttackGate"/>. The kinds' roles come from their <see cref="LabelRole"/>, so a new kind joins the claims by
/// declaring one.
/// </summary>
public static class Claims
{
    public const double ParityPoints = 1.0;
    public const double RobustnessPoints = 2.0;
    public const double EfficiencyPoints = 1.0;

    /// <summary>
    /// Seeds a verdict needs. Two seeds leave one degree of freedom for the seed-to-seed noise: the interval is ±12.7
    /// standard errors and its coverage rests on the seeds' noise being normal, which a run that fails to train breaks
    /// (docs/statistics.md); from 3 seeds the calibration holds.
    /// </summary>
    public const int MinSeeds = 3;

    /// <summary>The ε at which the standard protocol's claim is also judged on its own (RobustBench's L∞ budget).</summary>
    public const double StandardEps = 8 / 255.0;

    public static IReadOnlyList<ClaimVerdict> Evaluate(StudyData data)
    {
        var measures = new ClaimMeasures(data);
        var verdicts = new List<ClaimVerdict>();
        string baseline = LabelKinds.Baseline;
        double main = data.MainFraction;
        var highDimensional = measures.Kinds(LabelRole.HighDimensional).ToArray();
        var controls = measures.Kinds(LabelRole.Control).ToArray();

        verdicts.Add(Judge(data, "High-dimensional labels match categorical accuracy", Parts(highDimensional, -ParityPoints, true),
            kind => measures.Accuracy(kind, main), protocol: null, eps: null, controls));

        foreach (string protocol in data.Attacks.Select(a => a.Result.Protocol).Distinct().Where(p => AttackProtocol.Parse(p).NormalizedSpace).OrderBy(p => p))
        {
            string title = protocol == AttackProtocol.Paper.Name
                ? "High-dimensional labels are more robust to adversarial attacks (the paper's evaluation: its FGSM and iterative attacks as the official code runs them)"
                : $"High-dimensional labels are more robust to adversarial attacks (the paper's attacks with the official code's bugs fixed: {protocol})";
            verdicts.Add(Judge(data, title, Parts(highDimensional, RobustnessPoints, true), kind => measures.RobustOverGrid(kind, protocol), protocol, eps: null, controls));
        }

        string standard = AttackProtocol.Standard.Name;
        bool hasStandard = data.Attacks.Any(a => a.Result.Protocol == standard);
        if (hasStandard)
        {
            // The robustness claim judges the high-dimensional kinds against the baseline, so a flag on a control does not
            // block it; the explanation below judges the controls too, so it needs every kind's evaluation to pass.
            string gate = AttackGate.Check(data, standard, kind => LabelKinds.RoleOf(kind) is LabelRole.Baseline or LabelRole.HighDimensional);
            // Judged as the spec says (attack.judge): over the grid by default, or at one ε, or on the area under R(ε).
            ClaimJudge judge = data.Spec.Attack.JudgeFor(standard);
            string title = judge.Mode == JudgeMode.Grid ? StandardClaim
                : $"The robustness survives today's attacks (standard protocol, gated on the attack's strength; judged {judge.Describe(AttackProtocol.Standard.Unit)})";
            verdicts.Add(gate.Length > 0
                ? Blocked(title, gate)
                : Judge(data, title, Parts(highDimensional, RobustnessPoints, true), kind => measures.Robust(kind, standard, judge), standard,
                    eps: judge.Mode == JudgeMode.At ? judge.Eps : null, controls));
            // At 8/255 on its own, when the grid has more than that ε (else the grid's mean is that number already).
            if (data.StandardGridHas(StandardEps) is { } at && data.StandardGridSize() > 1)
                verdicts.Add(gate.Length > 0
                    ? Blocked(StandardClaimAt, gate)
                    : Judge(data, StandardClaimAt, Parts(highDimensional, RobustnessPoints, true), kind => measures.RobustAt(kind, standard, at), standard, at, controls));
        }

        double smallest = data.Runs.Select(r => r.Fraction).DefaultIfEmpty(main).Min();
        verdicts.Add(smallest < main
            ? Judge(data, $"High-dimensional labels learn more from little data ({smallest * 100:0.##}% of the training set)", Parts(highDimensional, EfficiencyPoints, true),
                kind => measures.Accuracy(kind, smallest), protocol: null, eps: null, controls)
            : NotMeasured("High-dimensional labels learn more from little data", "no run below the main training fraction"));

        // The explanation: high-dimensional, high-entropy kinds gain robustness, the controls do not. Judged under
        // today's attacks when the study ran them (and only if their gate passes: no fallback to a weaker protocol),
        // else under the paper's own evaluation, which the claim's title then names.
        var explanationParts = Parts(highDimensional, RobustnessPoints, true).Concat(Parts(controls, RobustnessPoints, false)).ToArray();
        if (hasStandard)
        {
            string gateAll = AttackGate.Check(data, standard, kind => LabelKinds.RoleOf(kind) is LabelRole.Baseline or LabelRole.HighDimensional or LabelRole.Control);
            verdicts.Add(gateAll.Length > 0
                ? Blocked(ExplanationClaim + $" ({standard} protocol)", gateAll)
                : Judge(data, ExplanationClaim + $" ({standard} protocol)", explanationParts, kind => measures.RobustOverGrid(kind, standard), standard, eps: null));
        }
        else if (data.Attacks.Any(a => a.Result.Protocol == AttackProtocol.Paper.Name))
            verdicts.Add(Judge(data, ExplanationClaim + $" ({AttackProtocol.Paper.Name} protocol; the study ran no {standard} protocol)", explanationParts,
                kind => measures.RobustOverGrid(kind, AttackProtocol.Paper.Name), AttackProtocol.Paper.Name, eps: null));
        else verdicts.Add(NotMeasured(ExplanationClaim, "needs attacks on both groups"));

        if (hasStandard)
            verdicts.AddRange(BeyondThePaper(data, measures, standard));
        verdicts.AddRange(OtherNorms(data, measures, highDimensional, controls));
        return verdicts;
    }

    /// <summary>
    /// The standard protocol's robustness claim in each other threat model the study ran (L2, L1): gated per norm on the
    /// same attack strength, judged over the norm's ε grid and at its usual budget (0.5 in L2, 12 in L1) when the grid
    /// has it and more.
    /// </summary>
    private static IEnumerable<ClaimVerdict> OtherNorms(StudyData data, ClaimMeasures measures, string[] highDimensional, string[] controls)
    {
        foreach (AttackProtocol protocol in AttackProtocol.All.Where(p => p.IsStandard && p != AttackProtocol.Standard && data.Attacks.Any(a => a.Result.Protocol == p.Name)))
        {
            string name = protocol.Name;
            string gate = AttackGate.Check(data, name, kind => LabelKinds.RoleOf(kind) is LabelRole.Baseline or LabelRole.HighDimensional);
            ClaimJudge judge = data.Spec.Attack.JudgeFor(name);
            string title = $"The robustness survives today's attacks in the {protocol.Norm.Symbol} threat model ({name} protocol, gated on the attack's strength; judged {judge.Describe(protocol.Unit)})";
            yield return gate.Length > 0
                ? Blocked(title, gate)
                : Judge(data, title, Parts(highDimensional, RobustnessPoints, true), kind => measures.Robust(kind, name, judge), name,
                    eps: judge.Mode == JudgeMode.At ? judge.Eps : null, controls);
            if (data.StandardGridHas(protocol.Norm.Reference, name) is { } at && data.StandardGridSize(name) > 1)
            {
                string titleAt = $"The robustness survives today's attacks at {protocol.Unit.Named(at)} ({name} protocol, gated on the attack's strength)";
                yield return gate.Length > 0
                    ? Blocked(titleAt, gate)
                    : Judge(data, titleAt, Parts(highDimensional, RobustnessPoints, true), kind => measures.RobustAt(kind, name, at), name, at, controls);
            }
        }
    }

    /// <summary>One part per kind, each expected on the given side of the threshold (in points).</summary>
    private static IEnumerable<(string Kind, bool Above, double Threshold)> Parts(IEnumerable<string> kinds, double thresholdPoints, bool above) =>
        kinds.Select(k => (k, above, thresholdPoints / 100));

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
            yield return Gated(data, measures, "Later label geometries are more robust than categorical labels (standard protocol, plain training)", alternatives, baseline, standard);
        foreach (string regime in data.Labels.Select(StudyRun.RegimeOf).Where(r => r.Length > 0).Distinct())
        {
            string armBaseline = $"{baseline}{LabelKinds.ArmSeparator}{regime}";
            var arms = data.Labels.Where(l => StudyRun.RegimeOf(l) == regime && l != armBaseline
                && LabelKinds.RoleOf(StudyRun.LabelOf(l)) is LabelRole.HighDimensional or LabelRole.Alternative).ToArray();
            if (arms.Length == 0 || !data.Labels.Contains(armBaseline)) continue;
            yield return Gated(data, measures, $"A label geometry adds robustness on top of adversarial training ({regime}; standard protocol; against {armBaseline})",
                arms, armBaseline, standard);
        }
    }

    /// <summary>A robustness claim over <paramref name="arms"/> against <paramref name="baselineArm"/>, gated on the attack's strength on exactly those runs.</summary>
    private static ClaimVerdict Gated(StudyData data, ClaimMeasures measures, string claim, string[] arms, string baselineArm, string standard)
    {
        string gate = AttackGate.Check(data, standard, arm => arms.Contains(arm) || arm == baselineArm);
        return gate.Length > 0
            ? Blocked(claim, gate)
            : Judge(data, claim, Parts(arms, RobustnessPoints, true), kind => measures.RobustOverGrid(kind, standard, baselineArm), standard, eps: null);
    }

    private const string StandardClaim = "The robustness survives today's attacks (standard protocol, gated on the attack's strength; mean over the ε grid)";
    private static readonly string StandardClaimAt = $"The robustness survives today's attacks at ε = {EpsUnit.Pixels.Format(StandardEps)} (standard protocol, gated on the attack's strength)";
    private const string ExplanationClaim = "High-dimensional, high-entropy labels help; constant and low-dimensional labels do not";

    private static ClaimVerdict NotMeasured(string claim, string why) => new(claim, why, "not measured", "", Array.Empty<KindDifference>());

    /// <summary>A claim the attack gate stops: no verdict, with the check that failed (never a weaker protocol in its place).</summary>
    private static ClaimVerdict Blocked(string claim, string gate) =>
        new(claim, $"standard protocol: {gate}", $"no verdict: {gate}", $"a verdict needs {AttackGate.Minimum}, and no masking flag on the attacks that set the worst case",
            Array.Empty<KindDifference>());

    /// <summary>
    /// The declared form's verdict: every part's interval, then supported iff all meet, not supported iff any opposes,
    /// else inconclusive with the open parts; controls shown for information when the form does not judge them.
    /// </summary>
    private static ClaimVerdict Judge(StudyData data, string claim, IEnumerable<(string Kind, bool Above, double Threshold)> form, Func<string, Measured?> measure,
        string? protocol, double? eps, IReadOnlyList<string>? shownControls = null)
    {
        var parts = new List<KindDifference>();
        var runs = new List<RunResult>();
        var declared = form.ToArray();
        string? problem = null;
        foreach (var (kind, above, threshold) in declared)
        {
            Measured? m = measure(kind);
            if (m is null) continue;
            runs.AddRange(m.Runs);
            if (m.Problem is not null) { problem ??= m.Problem; continue; }
            // Below the seeds a verdict needs, no interval is shown either: one that cannot carry a verdict is not one to read.
            Interval? difference = m.Seeds >= MinSeeds ? SeedImageInterval.Difference(m.Groups) : null;
            parts.Add(new KindDifference(kind, difference ?? new Interval(MeanDifference(m.Groups), double.NaN, double.NaN), above, threshold,
                difference is null ? null : SeedImageInterval.PlanToClear(m.Groups, threshold, MinSeeds), m.Seeds, LabelDraws.Describe(kind, m.Runs)));
        }
        string rule = string.Join(" ∧ ", declared.Select(p => $"{p.Kind} {(p.Above ? ">" : "<")} {Format.Points(p.Threshold)} pt"));
        string scope = ClaimScope.Describe(data, runs, protocol, eps);
        if (parts.Count == 0 && problem is null) return NotMeasured(claim, "not measured in this study") with { Rule = rule };
        var controls = (shownControls ?? Array.Empty<string>()).Select(k => (k, measure(k))).Where(x => x.Item2 is { Problem: null, Seeds: >= MinSeeds })
            .Select(x => $"{x.k} {SeedImageInterval.Difference(x.Item2!.Groups).Points()} pt").ToArray();
        string measured = string.Join(", ", parts.Select(d => double.IsNaN(d.Difference.Lower) ? $"{d.Label} {Format.Points(d.Difference.Estimate)} pt (no interval)" : $"{d.Label} {d.Difference.Points()} pt"))
                          + (controls.Length > 0 ? $" (controls, not judged: {string.Join(", ", controls)})" : "");
        return new ClaimVerdict(claim, measured, Verdict(parts, problem), rule, parts, scope);
    }

    private static double MeanDifference(IReadOnlyList<PairedGroup> groups) => groups.Average(g => g.Differences().Average(s => s.Average()));

    /// <summary>The verdict of a conjunction of parts (see the class's summary), with its reason.</summary>
    internal static string Verdict(IReadOnlyList<KindDifference> parts, string? problem = null)
    {
        if (problem is not null) return $"no verdict: {problem}";
        int seeds = parts.Min(d => d.Seeds);
        if (seeds < MinSeeds)
            return $"no verdict: {seeds} seed{(seeds == 1 ? "" : "s")}; an honest 95% interval needs at least {MinSeeds}";
        if (parts.All(d => d.Meets)) return "supported";
        string asClaimed = parts.Any(d => d.Meets) ? $"; as claimed: {string.Join(", ", parts.Where(d => d.Meets).Select(d => d.Label))}" : "";
        if (parts.Any(d => d.Opposes))
            return $"not supported: {string.Join("; ", parts.Where(d => d.Opposes).Select(Against))}{asClaimed}";
        return $"inconclusive: {string.Join("; ", parts.Where(d => !d.Meets && !d.Opposes).Select(Open))}{asClaimed}";
    }

    /// <summary>Why a part opposes its claim, naming an effect that is real but smaller than the margin.</summary>
    private static string Against(KindDifference d)
    {
        string margin = $"the {Format.Points(d.Threshold)} pt margin";
        if (d.ExpectAbove && d.Threshold > 0 && d.Difference.Lower > 0) return $"{d.Label} significant, below {margin}";
        if (!d.ExpectAbove && d.Threshold < 0 && d.Difference.Upper < 0) return $"{d.Label} significant, above {margin}";
        return $"{d.Label} {(d.ExpectAbove ? "below" : "above")} {Format.Points(d.Threshold)} pt";
    }

    /// <summary>Why a part is still open.</summary>
    private static string Open(KindDifference d) =>
        d.Significant && Math.Sign(d.Difference.Estimate) == Math.Sign(d.Threshold) && d.Threshold != 0
            ? $"{d.Label} significant ({d.Difference.Points()} pt), {Format.Points(d.Threshold)} pt margin undecided"
            : $"{d.Label}'s interval straddles {Format.Points(d.Threshold)} pt";
}
