using LabelRep.Evaluation.Attacks;

namespace LabelRep.Evaluation;

/// <summary>
/// Checks a sweep's numbers for the signs of gradient masking that today's attack practice lists (docs/protocols.md §9): accuracy rising with ε,
/// an iterative attack weaker than FGSM, a gradient-free or transfer attack beating the white-box ones, many zero
/// gradients, and accuracy far from zero at a large ε; and AutoAttack's checks (checks.py): Square breaking points a
/// cascade's white-box attacks missed, and a forward pass that is not deterministic; and Carlini et al.'s: accuracy
/// not 0 at an unbounded ε. A flag is a reason to distrust a number, not proof.
/// </summary>
public static class AttackDiagnostics
{
    /// <summary>Differences below this share of images (half a percentage point) are treated as noise.</summary>
    public const double Tolerance = 0.005;

    /// <summary>Zero gradients on more than this share of images are flagged.</summary>
    public const double ZeroGradientLimit = 0.1;

    /// <summary>ε (pixel units) from which an undefended-looking model should be near zero accuracy.</summary>
    public const double LargeEps = 32 / 255.0;

    /// <summary>AutoAttack's threshold for Square after the white-box attacks of a cascade (check_square_sr's alpha).</summary>
    public const double SquareAfterWhiteBox = 0.002;

    /// <summary>The prefix of a flag's series that means "every attack with this loss" (zero gradients are a property of the loss).</summary>
    public const string LossSeries = "loss:";

    /// <summary>The checks the attack gate needs to have run (<see cref="AttackCheck"/>): APGD at ε = 1, Square after a cascade's white-box attacks, transfer against the white-box attacks, twice the budget.</summary>
    public const string UnboundedCheck = "unbounded-eps", SquareCheck = "square-after-white-box", TransferCheck = "transfer-vs-white-box", ConvergenceCheck = "budget-convergence";

    /// <summary>Doubling the gradient attacks' iterations and restarts must move robust accuracy by less than this (half a point).</summary>
    public const double ConvergenceLimit = 0.005;

    /// <summary>The budget-convergence check's subsample: the sweep's first this many images.</summary>
    public const int ConvergenceImages = 100;

    /// <summary>
    /// The result of the budget-convergence check: at <paramref name="Eps"/>, the suite's gradient attacks with twice their
    /// iterations and restarts, run on the images among the sweep's first <paramref name="Images"/> that survived the suite,
    /// broke <paramref name="Broke"/> more.
    /// </summary>
    public sealed record Convergence(double Eps, int Images, int Broke, string Attacks)
    {
        public double Moved => Broke / (double)Math.Max(1, Images);
        public bool Passed => Moved < ConvergenceLimit;
    }

    /// <summary>
    /// The checks that ran on a sweep's rows, passed or not (from the flags <see cref="Check"/> raised): a check with no
    /// record never ran, which the gate tells from one that passed.
    /// </summary>
    /// <param name="images">The sweep's images.</param>
    /// <param name="unboundedImages">The images the unbounded-ε check attacked.</param>
    public static IReadOnlyList<AttackCheck> Ran(IReadOnlyList<AttackResult> rows, IReadOnlyList<AttackFlag> flags, int images, double? unboundedAccuracy,
        int unboundedImages, Convergence? convergence)
    {
        var checks = new List<AttackCheck>();
        if (unboundedAccuracy is { } unbounded)
            checks.Add(new(UnboundedCheck, unbounded == 0, unboundedImages, $"APGD (CE, then DLR) at the unbounded ε (L∞ 1, L2 √d, L1 d: the ball holds every image) leaves {unbounded:P1}"));
        AttackResult[] squares = rows.Where(r => r.Suite != null && r.Eps > 0 && AttackSuite.MemberOfResult(r.Attack)?.Attack == "square").ToArray();
        if (squares.Length > 0)
        {
            if (rows.Any(WhiteBoxMember))
                checks.Add(new(SquareCheck, !flags.Any(f => f.Check == "square-beats-white-box"), images,
                    $"Square broke {squares.Sum(s => s.Broke ?? 0)} image(s) the white-box attacks before it had not, over {squares.Length} ε"));
        }
        var transfers = rows.Where(r => r.Suite is null && r.Eps > 0 && r.Attack != AttackResult.WorstCase && !r.Targeted && Family(r.Attack) == AttackFamily.Transfer).ToArray();
        bool whiteBesideTransfer = transfers.Any(t => rows.Any(r => r.Eps == t.Eps && !r.Targeted && r.Attack != AttackResult.WorstCase
            && (r.Suite != null ? WhiteBoxMember(r) : Family(r.Attack) is AttackFamily.Iterative or AttackFamily.SingleStep)));
        if (whiteBesideTransfer)
            checks.Add(new(TransferCheck, !flags.Any(f => f.Check == "black-box-beats-white-box" && transfers.Any(t => t.Series == f.Series)), images,
                $"transfer against the white-box attacks at {transfers.Length} ε"));
        if (convergence is { } c)
            checks.Add(new(ConvergenceCheck, c.Passed, c.Images,
                $"twice the iterations and restarts of {c.Attacks} at ε={c.Eps:G4} broke {c.Broke} more of {c.Images} images ({c.Moved * 100:0.0} points)"));
        return checks;
    }

    /// <param name="gradientLoss">The loss whose gradients <paramref name="zeroGradientShare"/> measured.</param>
    public static IReadOnlyList<AttackFlag> Check(IReadOnlyList<AttackResult> rows, double zeroGradientShare, bool deterministic = true, double? unboundedAccuracy = null,
        string? gradientLoss = null, Convergence? convergence = null)
    {
        var flags = new List<AttackFlag>();
        CheckCurves(rows, flags);
        CheckAttacksAgainstEachOther(rows, flags);
        CheckIntegrity(rows, flags, zeroGradientShare, deterministic, unboundedAccuracy, gradientLoss);
        if (convergence is { Passed: false } c)
            flags.Add(new("budget-not-converged",
                $"ε={c.Eps:G4}: twice the iterations and restarts of {c.Attacks} broke {c.Broke} more of {c.Images} images ({c.Moved * 100:0.0} points ≥ {ConvergenceLimit * 100:0.0})"));
        return flags;
    }

    /// <summary>Each series' curve over ε: rising with ε, or flat far from zero while ε doubles.</summary>
    private static void CheckCurves(IReadOnlyList<AttackResult> rows, List<AttackFlag> flags)
    {
        foreach (var series in rows.GroupBy(r => r.Series))
        {
            AttackResult[] byEps = series.OrderBy(r => r.Eps).ToArray();
            for (int i = 1; i < byEps.Length; i++)
            {
                if (byEps[i].Accuracy > byEps[i - 1].Accuracy + Tolerance)
                    flags.Add(new("rises-with-eps",
                        $"{series.Key}: accuracy rises from {byEps[i - 1].Accuracy:P1} at ε={byEps[i - 1].Eps:G4} to {byEps[i].Accuracy:P1} at ε={byEps[i].Eps:G4}", series.Key));
            }
            // A curve that stops falling while far from zero, although ε at least doubled (the broken-attack symptom).
            if (byEps.Length >= 3 && byEps[^2].Eps > 0 && byEps[^1].Eps >= 2 * byEps[^2].Eps && byEps[^1].Accuracy > 0.1
                && Math.Abs(byEps[^1].Accuracy - byEps[^2].Accuracy) <= Tolerance)
                flags.Add(new("stops-falling",
                    $"{series.Key}: accuracy stays at {byEps[^1].Accuracy:P1} from ε={byEps[^2].Eps:G4} to ε={byEps[^1].Eps:G4}", series.Key));
        }
    }

    /// <summary>An iterative attack weaker than FGSM, a gradient-free or transfer attack stronger than every white-box one.</summary>
    private static void CheckAttacksAgainstEachOther(IReadOnlyList<AttackResult> rows, List<AttackFlag> flags)
    {
        // Attack against attack: standalone rows only (a suite's rows are cumulative over its cascade).
        foreach (var setting in rows.Where(r => r.Eps > 0 && r.Attack != AttackResult.WorstCase && r.Suite is null).GroupBy(r => (r.Targeted, r.Eps)))
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
                            $"{where}: {iterative.Series} {Show(iterative)}, {fgsm.Series} {Show(fgsm)}", iterative.Series));
                }
            }
            // A cascade's white-box members count too (their rows are cumulative: the last one leaves the cascade's white-box accuracy).
            var whiteBox = byAttack[AttackFamily.SingleStep].Concat(byAttack[AttackFamily.Iterative]).Concat(targeted ? Array.Empty<AttackResult>() : rows.Where(r =>
                r.Eps == setting.Key.Eps && WhiteBoxMember(r))).ToArray();
            if (whiteBox.Length == 0) continue;
            AttackResult strongest = whiteBox.MaxBy(Strength)!;
            foreach (AttackResult other in byAttack[AttackFamily.GradientFree].Concat(byAttack[AttackFamily.Transfer]))
            {
                if (Strength(other) > Strength(strongest) + Tolerance)
                    flags.Add(new("black-box-beats-white-box",
                        $"{where}: {other.Series} {Show(other)}; the strongest white-box attack ({strongest.Series}) {Show(strongest)}", other.Series));
            }
        }
    }

    /// <summary>Square after the white-box attacks of a cascade, determinism, the unbounded ε, zero gradients, large ε.</summary>
    private static void CheckIntegrity(IReadOnlyList<AttackResult> rows, List<AttackFlag> flags, double zeroGradientShare, bool deterministic, double? unboundedAccuracy,
        string? gradientLoss)
    {
        foreach (AttackResult square in rows.Where(r => r.Suite != null && r.Eps > 0 && AttackSuite.MemberOfResult(r.Attack)?.Attack == "square"))
        {
            double share = (square.Broke ?? 0) / (double)Math.Max(1, square.Images);
            if (share > SquareAfterWhiteBox)
                flags.Add(new("square-beats-white-box",
                    $"ε={square.Eps:G4}: in the {square.Suite} cascade Square fooled {share:P1} of the images the white-box attacks before it had not"));
        }

        if (!deterministic)
            flags.Add(new("non-deterministic", "two forward passes of the same images gave different class scores; a randomized model needs EOT attacks"));

        if (unboundedAccuracy is > 0)
            flags.Add(new("not-zero-at-unbounded-eps", $"APGD leaves {unboundedAccuracy:P1} of the images correct at the unbounded ε (L∞ 1, L2 √d, L1 d: any image can become any other there)"));

        if (zeroGradientShare > ZeroGradientLimit)
            flags.Add(new("zero-gradients", $"the {gradientLoss ?? "attack"} loss has an exactly zero input gradient on {zeroGradientShare:P1} of the images",
                gradientLoss is null ? null : LossSeries + gradientLoss));

        // Large: 4× the norm's usual budget (32/255 in L∞, 2 in L2, 48 in L1), in pixel units.
        foreach (AttackResult worst in rows.Where(r => r.Attack == AttackResult.WorstCase && !r.Targeted && r.EpsPixels >= LargeEps / Norm.Linf.Reference * r.Norm.Reference - 1e-9))
        {
            if (worst.Accuracy > 0.1)
                flags.Add(new("not-near-zero-at-large-eps",
                    $"worst case at ε={worst.Eps:G4} ({EpsUnit.PixelsOf(worst.Norm).Named(worst.EpsPixels)} in pixels) still leaves {worst.Accuracy:P1}; an attack this large should bring accuracy near zero"));
        }
    }

    /// <summary>A row of a cascade's gradient attack (APGD-CE, APGD-T, FAB-T): its accuracy is the cascade's so far.</summary>
    private static bool WhiteBoxMember(AttackResult r) =>
        r.Suite != null && AttackSuite.MemberOfResult(r.Attack) is { } m && AttackRegistry.Get(m.Attack).Family == AttackFamily.Iterative;

    private static AttackFamily? Family(string attack) =>
        attack == AttackResult.WorstCase ? null : AttackRegistry.Get(attack).Family;
}
