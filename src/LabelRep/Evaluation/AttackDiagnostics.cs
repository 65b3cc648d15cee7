using LabelRep.Evaluation.Attacks;

namespace LabelRep.Evaluation;

/// <summary>
/// Checks a sweep's numbers for the signs of gradient masking that attack-practice lists: accuracy rising with ε,
/// an iterative attack weaker than FGSM, a gradient-free or transfer attack beating the white-box ones, many zero
/// gradients, and accuracy far from zero at a large ε. A flag is a reason to distrust a number, not proof.
/// </summary>
public static class AttackDiagnostics
{
    /// <summary>Differences below this share of images (half a percentage point) are treated as noise.</summary>
    public const double Tolerance = 0.005;

    /// <summary>Zero gradients on more than this share of images are flagged.</summary>
    public const double ZeroGradientLimit = 0.1;

    /// <summary>ε (pixel units) from which an undefended-looking model should be near zero accuracy.</summary>
    public const double LargeEps = 32 / 255.0;

    public static IReadOnlyList<AttackFlag> Check(IReadOnlyList<AttackResult> rows, double zeroGradientShare)
    {
        var flags = new List<AttackFlag>();
        foreach (var series in rows.GroupBy(r => r.Series))
        {
            AttackResult[] byEps = series.OrderBy(r => r.Eps).ToArray();
            for (int i = 1; i < byEps.Length; i++)
            {
                if (byEps[i].Accuracy > byEps[i - 1].Accuracy + Tolerance)
                    flags.Add(new("rises-with-eps",
                        $"{series.Key}: accuracy rises from {byEps[i - 1].Accuracy:P1} at ε={byEps[i - 1].Eps:G4} to {byEps[i].Accuracy:P1} at ε={byEps[i].Eps:G4}"));
            }
            // A curve that stops falling while far from zero, although ε at least doubled (the broken-attack symptom).
            if (byEps.Length >= 3 && byEps[^2].Eps > 0 && byEps[^1].Eps >= 2 * byEps[^2].Eps && byEps[^1].Accuracy > 0.1
                && Math.Abs(byEps[^1].Accuracy - byEps[^2].Accuracy) <= Tolerance)
                flags.Add(new("stops-falling",
                    $"{series.Key}: accuracy stays at {byEps[^1].Accuracy:P1} from ε={byEps[^2].Eps:G4} to ε={byEps[^1].Eps:G4}"));
        }

        foreach (var setting in rows.Where(r => r.Eps > 0 && r.Attack != AttackResult.WorstCase).GroupBy(r => (r.Targeted, r.Eps)))
        {
            string where = $"ε={setting.Key.Eps:G4}{(setting.Key.Targeted ? " targeted" : "")}";
            var byAttack = setting.ToLookup(r => Family(r.Attack));
            // Untargeted attacks are compared by the accuracy they leave; targeted ones by how often they reach the target
            // (a large FGSM step often overshoots into some third class, which lowers accuracy without any masking).
            bool targeted = setting.Key.Targeted;
            double Strength(AttackResult r) => targeted ? r.TargetHitRate ?? 0 : 1 - r.Accuracy;
            string Show(AttackResult r) => targeted ? $"reaches the target on {r.TargetHitRate:P1}" : $"leaves {r.Accuracy:P1}";
            foreach (AttackResult fgsm in byAttack[AttackFamily.SingleStep])
            {
                foreach (AttackResult iterative in byAttack[AttackFamily.Iterative].Where(r => r.Loss == fgsm.Loss))
                {
                    if (Strength(iterative) < Strength(fgsm) - Tolerance)
                        flags.Add(new("iterative-weaker-than-fgsm",
                            $"{where}: {iterative.Series} {Show(iterative)}, {fgsm.Series} {Show(fgsm)}"));
                }
            }
            var whiteBox = byAttack[AttackFamily.SingleStep].Concat(byAttack[AttackFamily.Iterative]).ToArray();
            if (whiteBox.Length == 0) continue;
            AttackResult strongest = whiteBox.MaxBy(Strength)!;
            foreach (AttackResult other in byAttack[AttackFamily.GradientFree].Concat(byAttack[AttackFamily.Transfer]))
            {
                if (Strength(other) > Strength(strongest) + Tolerance)
                    flags.Add(new("black-box-beats-white-box",
                        $"{where}: {other.Series} {Show(other)}; the strongest white-box attack ({strongest.Series}) {Show(strongest)}"));
            }
        }

        if (zeroGradientShare > ZeroGradientLimit)
            flags.Add(new("zero-gradients", $"the attack loss has an exactly zero input gradient on {zeroGradientShare:P1} of the images"));

        foreach (AttackResult worst in rows.Where(r => r.Attack == AttackResult.WorstCase && !r.Targeted && r.EpsPixels >= LargeEps - 1e-9))
        {
            if (worst.Accuracy > 0.1)
                flags.Add(new("not-near-zero-at-large-eps",
                    $"worst case at ε={worst.Eps:G4} ({worst.EpsPixels * 255:F0}/255 in pixels) still leaves {worst.Accuracy:P1}; an attack this large should bring accuracy near zero"));
        }
        return flags;
    }

    private static AttackFamily? Family(string attack) =>
        attack == AttackResult.WorstCase ? null : AttackRegistry.Get(attack).Family;
}
