using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// Whether a study's standard-protocol evaluation is strong enough to give a robustness verdict: AutoAttack's standard
/// strength, and evidence that it worked. Every attacked run it judges needs, at every ε of its grid:
/// <list type="bullet">
/// <item>APGD-CE and APGD-T over min(9, C − 1) target classes, at least 100 iterations each;</item>
/// <item>a gradient-free attack of at least 5,000 queries (Square) or a transfer attack;</item>
/// </list>
/// and these checks must have run and passed (a check counts only if it ran): APGD at an unbounded ε, Square against the
/// white-box attacks (or transfer against them, when transfer stands in for Square), and the budget-convergence check on at
/// least 100 images. A masking flag on the attack that sets the worst case, on a cascade or a member of it, on the
/// worst-case series, or on the whole evaluation blocks the verdict. The reason names the check that failed; there is no
/// fallback to a weaker protocol.
/// </summary>
public static class AttackGate
{
    public const int MinIterations = 100;
    public const int MaxTargets = 9;
    public const int MinQueries = 5000;

    public static string Minimum =>
        $"AutoAttack's standard strength at every ε (APGD-CE and APGD-T over min({MaxTargets}, C−1) targets, {MinIterations} iterations each; Square with ≥ " +
        $"{MinQueries:N0} queries, or transfer), with the unbounded-ε, Square (or transfer) and budget-convergence checks run and passed";

    /// <summary>
    /// "" when the gate passes, else why not (the attacks below the minimum, the checks that did not run or failed, the
    /// masking flags), per kind. Only the runs of the label kinds <paramref name="kinds"/> accepts count (null: every
    /// kind): a claim is gated on the kinds it judges.
    /// </summary>
    public static string Check(StudyData data, string protocol, Func<string, bool>? kinds = null)
    {
        var rows = data.Attacks.Where(a => a.Result.Protocol == protocol && !a.Result.Targeted && (kinds is null || kinds(a.Label))).ToLookup(a => a.RunId);
        if (rows.Count == 0) return "";
        var reasons = new List<(string Why, string Label)>();
        foreach (var run in rows)
        {
            string label = run.First().Label;
            AttackResult[] results = run.Select(a => a.Result).ToArray();
            int classes = data.SweepClasses.GetValueOrDefault((run.Key, protocol));
            IReadOnlyList<AttackCheck> checks = data.Checks.Where(c => c.RunId == run.Key && c.Protocol == protocol).Select(c => c.Check).ToArray();
            foreach (string why in Weak(results, classes).Concat(Unchecked(results, checks)))
                reasons.Add((why, label));
            foreach (AttackFlag flag in data.Flags.Where(f => f.RunId == run.Key && f.Protocol == protocol).Select(f => f.Flag).Where(f => Relevant(f, results)))
                reasons.Add(($"masking flag [{flag.Check}]", label));
        }
        return string.Join("; ", reasons.GroupBy(r => r.Why).Select(g => $"{g.Key} on {string.Join(", ", g.Select(r => r.Label).Distinct())}"));
    }

    /// <summary>The required attacks missing at some ε of the run's grid.</summary>
    private static IEnumerable<string> Weak(AttackResult[] results, int classes)
    {
        double[] grid = results.Where(r => r.Attack == AttackResult.WorstCase && r.Eps > 0).Select(r => r.Eps).Distinct().OrderBy(e => e).ToArray();
        if (grid.Length == 0)
        {
            yield return "no attack at ε > 0";
            yield break;
        }
        int targets = classes > 1 ? Math.Min(MaxTargets, classes - 1) : MaxTargets;
        foreach (double eps in grid)
        {
            AttackResult[] at = results.Where(r => r.Eps == eps && r.Attack != AttackResult.WorstCase).ToArray();
            bool Has(string attack, string loss, int minTargets) => at.Any(r => AttackOf(r) == attack && r.Loss == loss && r.Steps >= MinIterations
                && (minTargets == 0 || (r.Targets ?? 0) >= minTargets));
            string where = $"at {EpsUnit.Of(at.Length > 0 ? at[0].Protocol : results[0].Protocol).Named(eps)}";
            if (!Has("apgd", AttackLoss.CrossEntropy.Name, 0)) yield return $"no APGD-CE of ≥ {MinIterations} iterations {where}";
            if (!Has("apgd-t", AttackLoss.Dlr.Name, targets)) yield return $"no APGD-T over ≥ {targets} targets of ≥ {MinIterations} iterations {where}";
            if (!at.Any(r => SquareOfFullBudget(r) || AttackOf(r) == "transfer"))
                yield return $"no Square of ≥ {MinQueries:N0} queries and no transfer attack {where}";
        }
    }

    /// <summary>The checks that must have run and passed: the unbounded ε, Square (or transfer, when it stands in for Square) against the white-box attacks, the budget's convergence on ≥ 100 images.</summary>
    private static IEnumerable<string> Unchecked(AttackResult[] results, IReadOnlyList<AttackCheck> checks)
    {
        var required = new List<string> { AttackDiagnostics.UnboundedCheck };
        // The black-box attack's own check (without either attack, Weak has said so already).
        if (results.Any(SquareOfFullBudget)) required.Add(AttackDiagnostics.SquareCheck);
        else if (results.Any(r => AttackOf(r) == "transfer")) required.Add(AttackDiagnostics.TransferCheck);
        required.Add(AttackDiagnostics.ConvergenceCheck);
        foreach (string name in required)
        {
            AttackCheck? check = checks.FirstOrDefault(c => c.Name == name);
            if (check is null) yield return $"the {name} check did not run";
            else if (!check.Passed) yield return $"the {name} check failed ({check.Detail})";
            else if (name == AttackDiagnostics.ConvergenceCheck && check.Images < AttackDiagnostics.ConvergenceImages)
                yield return $"the {name} check ran on {check.Images} images (fewer than {AttackDiagnostics.ConvergenceImages})";
        }
    }

    private static bool SquareOfFullBudget(AttackResult r) => AttackOf(r) == "square" && (r.Queries ?? r.Steps) >= MinQueries;

    /// <summary>The registered attack of a row: the row's own, or its suite member's.</summary>
    private static string AttackOf(AttackResult r) => AttackSuite.MemberOfResult(r.Attack)?.Attack ?? r.Attack;

    /// <summary>
    /// A flag about the whole evaluation, a cascade or one of its members, the worst case, or a series (or a loss) that sets
    /// the worst case at some ε: every number a claim reads comes from these.
    /// </summary>
    private static bool Relevant(AttackFlag flag, AttackResult[] results)
    {
        if (flag.Series is null) return true;
        if (results.Any(r => (r.Suite != null || r.Attack == AttackResult.WorstCase) && r.Series == flag.Series)) return true;
        // A standalone attack (or its loss) as strong as everything else at an ε, cascades included.
        foreach (var atEps in results.Where(r => r.Eps > 0 && r.Attack != AttackResult.WorstCase && (r.Suite is null || r.Loss == AttackResult.Cascade)).GroupBy(r => r.Eps))
        {
            double worst = atEps.Min(r => r.Accuracy);
            foreach (AttackResult strongest in atEps.Where(r => r.Suite is null && r.Accuracy <= worst + 1e-12))
                if (flag.Series == strongest.Series || flag.Series == AttackDiagnostics.LossSeries + strongest.Loss) return true;
        }
        return false;
    }
}
