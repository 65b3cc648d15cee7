using LabelRep.Evaluation;
using LabelRep.Labels;
using LabelRep.Reporting.Sections;
using LabelRep.Studies;

namespace LabelRep.Reporting;

/// <summary>
/// What a verdict is about, in one line: the datasets, backbones, epochs, training fraction and seeds of the runs it
/// compares; the images it counted; for a robustness claim the ε (one, or the grid it averages over) and the budget of
/// every attack whose result entered the worst case.
/// </summary>
internal static class ClaimScope
{
    public static string Describe(StudyData data, IReadOnlyCollection<RunResult> runs, string? protocol, double? eps)
    {
        if (runs.Count == 0) return "";
        var parts = new List<string>
        {
            string.Join(", ", runs.Select(r => r.Dataset).Distinct()),
            string.Join(", ", runs.Select(r => r.Model).Distinct()),
            $"{string.Join("/", runs.Select(r => r.Epochs).Distinct().Order())} epochs",
            $"{string.Join("/", runs.Select(r => Format.Number(r.Fraction * 100, "0.##")).Distinct())}% of the training set",
            $"seeds {string.Join(", ", runs.Select(r => r.Seed).Distinct().Order())}",
        };
        var ids = runs.Select(r => r.Id).ToHashSet();
        if (protocol is null)
        {
            int[] images = runs.Select(r => data.Correct(r)?.Length ?? 0).Where(n => n > 0).Distinct().Order().ToArray();
            if (images.Length > 0) parts.Add($"{string.Join("/", images.Select(n => n.ToString("N0", Format.Culture)))} test images");
            return string.Join(" · ", parts);
        }
        EpsUnit unit = EpsUnit.Of(protocol);
        var rows = data.Attacks.Where(a => ids.Contains(a.RunId) && a.Result.Protocol == protocol && !a.Result.Targeted).Select(a => a.Result).ToArray();
        parts.Add($"{string.Join("/", rows.Select(r => r.Images).Distinct().Order().Select(n => n.ToString("N0", Format.Culture)))} attacked images");
        double[] grid = rows.Where(r => r.Eps > 0).Select(r => r.Eps).Distinct().Order().ToArray();
        parts.Add(eps is { } at ? $"ε = {unit.Format(at)}" : $"mean over the ε grid {{{string.Join(", ", grid.Select(unit.Format))}}}");
        var budget = rows.Where(r => r.Eps > 0 && (eps is null || Math.Abs(r.Eps - eps.Value) < 1e-9) && r.Attack != AttackResult.WorstCase && r.Loss != AttackResult.Cascade)
            .Select(Budget).Distinct().ToArray();
        if (budget.Length > 0) parts.Add($"worst case of {string.Join("; ", budget)}");
        return string.Join(" · ", parts);
    }

    /// <summary>"apgd-t (dlr) 100 it., 3 targets", "square (margin) 5,000 queries": an attack and the budget it ran with.</summary>
    private static string Budget(AttackResult r)
    {
        string name = r.Suite is not null && r.Attack.StartsWith(r.Suite + ":", StringComparison.Ordinal) ? r.Attack[(r.Suite.Length + 1)..] : r.Attack;
        string text = r.Queries is { } q ? $"{name} ({r.Loss}) {q.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} queries" : $"{name} ({r.Loss}) {r.Steps} it.";
        if (r.Restarts > 1) text += $" × {r.Restarts} restarts";
        if (r.Targets is { } t) text += $", {t} targets";
        if (r.Source is { Length: > 0 } source) text += $" from {source}";
        return text;
    }
}

/// <summary>How a kind's labels were drawn across the runs a verdict compares, for kinds whose labels are drawn at random.</summary>
internal static class LabelDraws
{
    /// <summary>
    /// "" for a kind with fixed labels; else "a fresh label draw per seed", "one label draw for every seed (…)", or, for
    /// any kind, the bank file every seed used: the verdict is then about that bank.
    /// </summary>
    public static string Describe(string arm, IEnumerable<RunResult> runs)
    {
        string[] banks = runs.Where(r => r.Label == arm).Select(r => r.LabelBank ?? "").Distinct().ToArray();
        string bank = banks.FirstOrDefault() ?? "";
        if (banks.Length == 1 && bank.StartsWith("sha256:", StringComparison.Ordinal))
            return $"{arm}: one fixed bank for every seed ({bank[(bank.IndexOf(' ') + 1)..].Trim('(', ')')}); the verdict is about that bank";
        if (!LabelKinds.IsDrawnAtRandom(arm)) return "";
        return banks.Length > 1
            ? $"{arm}: a fresh label draw per seed (the interval includes the draws' variance)"
            : $"{arm}: one label draw for every seed ({(bank.Length > 0 ? bank : "label seed unknown")}); the verdict is about that draw";
    }
}
