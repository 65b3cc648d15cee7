using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>One of the paper's claims, what a study measured, and the verdict computed from it.</summary>
public sealed record ClaimVerdict(string Claim, string Measured, string Verdict);

/// <summary>
/// Checks the paper's claims against a study's numbers (main runs, averaged over seeds and pooled over datasets and
/// models). Each label kind's role (<see cref="LabelRole"/>) says whether it is the baseline, a high-dimensional kind
/// the claims are about, or a control. Thresholds: parity within 1 percentage point of categorical; a robustness gain above
/// 2 points (worst case over attacks, mean over ε &gt; 0, untargeted); a data-efficiency gain above 1 point at the
/// smallest fraction. "supported" when every high-dimensional kind passes, "not supported" when none does, else "mixed".
/// </summary>
public static class Claims
{
    public const double ParityPoints = 1.0;
    public const double RobustnessPoints = 2.0;
    public const double EfficiencyPoints = 1.0;

    public static IReadOnlyList<ClaimVerdict> Evaluate(IReadOnlyList<RunResult> runs, IReadOnlyList<RunAttackResult> attacks, double mainFraction)
    {
        var verdicts = new List<ClaimVerdict>();
        string baseline = LabelKinds.Baseline;
        string[] high = WithRole(runs, LabelRole.HighDimensional);
        string[] controls = WithRole(runs, LabelRole.Control);
        bool hasCategorical = runs.Any(r => r.Label == baseline);

        // 1. Accuracy parity at the main fraction.
        var accuracy = Gap(runs.Where(r => r.Fraction == mainFraction), r => r.TestAccuracy);
        verdicts.Add(Judge("High-dimensional labels match categorical accuracy", high, controls, accuracy, g => g >= -ParityPoints, hasCategorical,
            $"test accuracy minus {baseline}'s (parity: within {ParityPoints} point)"));

        // 2. Robustness, under each protocol.
        foreach (string protocol in new[] { "paper", "standard" })
        {
            var rows = attacks.Where(a => a.Result.Protocol == protocol && a.Result.Attack == AttackResult.WorstCase && !a.Result.Targeted && a.Result.Eps > 0).ToArray();
            var robust = rows.GroupBy(a => a.Label).ToDictionary(g => g.Key, g => g.Average(a => a.Result.Accuracy));
            var gaps = robust.ContainsKey(baseline) ? robust.ToDictionary(kv => kv.Key, kv => (kv.Value - robust[baseline]) * 100) : new Dictionary<string, double>();
            string name = protocol == "paper"
                ? "High-dimensional labels are more robust to adversarial attacks (the paper's attacks)"
                : "The robustness survives today's attacks (standard protocol: PGD and margin losses, Square, transfer)";
            verdicts.Add(Judge(name, high, controls, gaps, g => g > RobustnessPoints, rows.Length > 0 && robust.ContainsKey(baseline),
                $"worst-case accuracy over ε > 0 minus {baseline}'s (gain: above {RobustnessPoints} points)"));
        }

        // 3. Data efficiency at the smallest fraction.
        double smallest = runs.Select(r => r.Fraction).DefaultIfEmpty(1).Min();
        var efficiency = Gap(runs.Where(r => r.Fraction == smallest), r => r.TestAccuracy);
        verdicts.Add(Judge($"High-dimensional labels learn more from little data ({smallest * 100:0.##}% of the training set)", high, controls, efficiency,
            g => g > EfficiencyPoints, hasCategorical && smallest < mainFraction, $"test accuracy minus {baseline}'s (gain: above {EfficiencyPoints} point)"));

        // 4. High-dimensional high-entropy labels help; constant and low-dimensional ones do not.
        string protocolFor4 = attacks.Any(a => a.Result.Protocol == "standard") ? "standard" : "paper";
        var worst = attacks.Where(a => a.Result.Protocol == protocolFor4 && a.Result.Attack == AttackResult.WorstCase && !a.Result.Targeted && a.Result.Eps > 0)
            .GroupBy(a => a.Label).ToDictionary(g => g.Key, g => g.Average(a => a.Result.Accuracy) * 100);
        if (high.Length == 0 || controls.Length == 0 || !worst.ContainsKey(baseline))
        {
            verdicts.Add(new("High-dimensional, high-entropy labels help; constant and low-dimensional labels do not", "not measured (needs attacks on both groups)", "not measured"));
        }
        else
        {
            double[] highGains = high.Where(worst.ContainsKey).Select(l => worst[l] - worst[baseline]).ToArray();
            double[] controlGains = controls.Where(worst.ContainsKey).Select(l => worst[l] - worst[baseline]).ToArray();
            string verdict = highGains.Length == 0 || controlGains.Length == 0 ? "not measured"
                : highGains.Min() > controlGains.Max() && highGains.Min() > RobustnessPoints ? "supported"
                : highGains.Average() > controlGains.Average() ? "mixed" : "not supported";
            string measured = $"robustness gain ({protocolFor4} protocol): " +
                string.Join(", ", high.Concat(controls).Where(worst.ContainsKey).Select(l => $"{l} {worst[l] - worst[baseline]:+0.0;-0.0} pt"));
            verdicts.Add(new("High-dimensional, high-entropy labels help; constant and low-dimensional labels do not", measured, verdict));
        }
        return verdicts;
    }

    /// <summary>Per label, the seed-mean of a metric minus categorical's, in percentage points, averaged over (dataset, model).</summary>
    private static Dictionary<string, double> Gap(IEnumerable<RunResult> runs, Func<RunResult, double> metric)
    {
        var byGroup = runs.GroupBy(r => (r.Dataset, r.Model));
        var gaps = new Dictionary<string, List<double>>();
        foreach (var group in byGroup)
        {
            var mean = group.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Average(metric));
            if (!mean.TryGetValue(LabelKinds.Baseline, out double baseline)) continue;
            foreach (var (label, value) in mean)
            {
                if (!gaps.TryGetValue(label, out var list)) gaps[label] = list = new List<double>();
                list.Add((value - baseline) * 100);
            }
        }
        return gaps.ToDictionary(kv => kv.Key, kv => kv.Value.Average());
    }

    /// <summary>The study's kinds of one role, in the order of <see cref="LabelKinds.Names"/>.</summary>
    private static string[] WithRole(IReadOnlyList<RunResult> runs, LabelRole role) =>
        LabelKinds.Names.Where(l => LabelKinds.RoleOf(l) == role && runs.Any(r => r.Label == l)).ToArray();

    private static ClaimVerdict Judge(string claim, string[] high, string[] controlKinds, Dictionary<string, double> gaps, Func<double, bool> passes, bool measurable, string what)
    {
        string[] measured = high.Where(gaps.ContainsKey).ToArray();
        if (!measurable || measured.Length == 0) return new(claim, "not measured in this study", "not measured");
        int passing = measured.Count(l => passes(gaps[l]));
        string verdict = passing == measured.Length ? "supported" : passing == 0 ? "not supported" : "mixed";
        string numbers = string.Join(", ", measured.Select(l => $"{l} {gaps[l]:+0.0;-0.0} pt"));
        string controls = string.Join(", ", controlKinds.Where(gaps.ContainsKey).Select(l => $"{l} {gaps[l]:+0.0;-0.0} pt"));
        return new(claim, $"{what}: {numbers}{(controls.Length > 0 ? $" (controls: {controls})" : "")}", verdict);
    }
}
