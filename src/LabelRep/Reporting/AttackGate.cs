using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// Whether a study's standard-protocol evaluation is strong enough to give a robustness verdict: every attacked main
/// run has APGD-CE and targeted APGD-DLR over at least 3 target classes, 100 iterations each, at an ε of at least
/// 8/255 in pixels; and no gradient-masking flag lies on the attack that sets the worst case (a flag about the whole
/// evaluation, or about that attack's series or loss).
/// </summary>
public static class AttackGate
{
    public const int MinIterations = 100;
    public const int MinTargets = 3;
    public const double MinEps = 8 / 255.0;

    public static string Minimum => $"APGD-CE and APGD-T (≥ {MinTargets} targets), {MinIterations} iterations each, at ε ≥ 8/255";

    /// <summary>
    /// "" when the gate passes, else why not ("attack below the minimum: …" or "masking flags: …"). Only the runs of the
    /// label kinds <paramref name="kinds"/> accepts count (null: every kind): a claim is gated on the kinds it judges.
    /// </summary>
    public static string Check(StudyData data, string protocol, Func<string, bool>? kinds = null)
    {
        var rows = data.Attacks.Where(a => a.Result.Protocol == protocol && !a.Result.Targeted && (kinds is null || kinds(a.Label))).ToLookup(a => a.RunId);
        if (rows.Count == 0) return "";
        var weak = new List<string>();
        var masked = new List<string>();
        foreach (var run in rows)
        {
            string label = run.First().Label;
            AttackResult[] results = run.Select(a => a.Result).ToArray();
            bool Has(string attack, string loss, int targets) => results.Any(r =>
                (r.Attack == attack || AttackSuite.MemberOfResult(r.Attack)?.Attack == attack) && r.Loss == loss && r.Steps >= MinIterations
                && (targets == 0 || (r.Targets ?? 0) >= targets) && r.EpsPixels >= MinEps - 1e-9);
            if (!Has("apgd", AttackLoss.CrossEntropy.Name, 0) || !Has("apgd-t", AttackLoss.Dlr.Name, MinTargets))
                weak.Add(label);
            var flags = data.Flags.Where(f => f.RunId == run.Key && f.Protocol == protocol).Select(f => f.Flag).ToArray();
            foreach (AttackFlag flag in flags.Where(f => Relevant(f, results)))
                masked.Add($"{label} [{flag.Check}]");
        }
        if (weak.Count > 0)
            return $"attack below the minimum ({Minimum}) on {string.Join(", ", weak.Distinct())}";
        if (masked.Count > 0)
            return $"masking flags on the attack that sets the worst case: {string.Join(", ", masked.Distinct())}";
        return "";
    }

    /// <summary>A flag about the whole evaluation, or about a series (or a loss) that sets the worst case at some ε.</summary>
    private static bool Relevant(AttackFlag flag, AttackResult[] results)
    {
        if (flag.Series is null) return true;
        foreach (var atEps in results.Where(r => r.Eps > 0 && r.Attack != AttackResult.WorstCase && !(r.Suite != null && r.Attack.Contains(':'))).GroupBy(r => r.Eps))
        {
            double worst = atEps.Min(r => r.Accuracy);
            foreach (AttackResult strongest in atEps.Where(r => r.Accuracy <= worst + 1e-12))
            {
                if (strongest.Suite != null) continue; // a cascade sets it: only whole-evaluation flags apply
                if (flag.Series == strongest.Series || flag.Series == AttackDiagnostics.LossSeries + strongest.Loss) return true;
            }
        }
        return false;
    }
}
