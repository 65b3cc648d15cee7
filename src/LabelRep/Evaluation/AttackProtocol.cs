using LabelRep.Evaluation.Attacks;

namespace LabelRep.Evaluation;

/// <summary>
/// The rules an attack sweep follows. "paper" is the official code's experiment exactly (docs/protocols.md §7):
/// normalized input units, the training loss, FGSM clamped to each image's own min and max, and the iterative attack
/// of 5 steps of ε/5 with its quirks (input gradients summed across steps, no clamp). "paper-fixed" is the same with
/// those two bugs fixed (a fresh gradient each step, clamped to the image's range). "standard" is today's practice:
/// pixel units, clamp to [0, 1] after every step, cross-entropy and margin over the class scores, in the L∞ threat
/// model; "standard-l2" and "standard-l1" are the same rules in the L2 and L1 threat models (<c>--norm</c>). A sweep is
/// one protocol, so everything kept per protocol (attacks.json, results.db, plots, report sections, the gate and the
/// verdicts) is kept per norm too. The paper's two protocols fix their budgets and are L∞ only; only the standard ones
/// take --steps, --restarts and --queries.
/// </summary>
public sealed class AttackProtocol
{
    private static readonly double[] PaperEps = { 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3 };
    private static readonly string[] PaperAttacks = { "fgsm", "bim" };

    public static readonly AttackProtocol Paper = new(
        "paper", "Paper protocol, as the official code runs it (ε in normalized units, the training loss; iterative attack with summed gradients and no clamp)",
        normalizedSpace: true, officialQuirks: true, PaperEps, PaperAttacks, new[] { AttackLoss.Training });

    public static readonly AttackProtocol PaperFixed = new(
        "paper-fixed", "Paper protocol with the official code's bugs fixed (ε in normalized units, the training loss; a fresh gradient each step, clamped to the image's range)",
        normalizedSpace: true, officialQuirks: false, PaperEps, PaperAttacks, new[] { AttackLoss.Training });

    public static readonly AttackProtocol Standard = new(
        "standard", "Standard protocol (ε in pixels, CE and margin over class scores)", normalizedSpace: false, officialQuirks: false,
        defaultEps: new[] { 0, 1 / 255.0, 2 / 255.0, 4 / 255.0, 8 / 255.0, 16 / 255.0 },
        defaultAttacks: new[] { "fgsm", "bim", "pgd", "square" },
        losses: new[] { AttackLoss.CrossEntropy, AttackLoss.Margin });

    /// <summary>The standard protocol in the L2 threat model; its grid ends at 1 around RobustBench's 0.5.</summary>
    public static readonly AttackProtocol StandardL2 = new(
        "standard-l2", "Standard protocol, L2 threat model (ε an L2 length in pixels, CE and margin over class scores)", normalizedSpace: false, officialQuirks: false,
        defaultEps: new[] { 0, 0.125, 0.25, 0.5, 1.0 },
        defaultAttacks: new[] { "fgsm", "bim", "pgd", "square" },
        losses: new[] { AttackLoss.CrossEntropy, AttackLoss.Margin }, Norm.L2);

    /// <summary>The standard protocol in the L1 threat model; its grid ends at AutoAttack's CIFAR-10 budget of 12.</summary>
    public static readonly AttackProtocol StandardL1 = new(
        "standard-l1", "Standard protocol, L1 threat model (ε an L1 length in pixels, CE and margin over class scores)", normalizedSpace: false, officialQuirks: false,
        defaultEps: new[] { 0, 1.5, 3, 6, 12 },
        defaultAttacks: new[] { "fgsm", "bim", "pgd", "apgd" },
        losses: new[] { AttackLoss.CrossEntropy, AttackLoss.Margin }, Norm.L1);

    private AttackProtocol(string name, string title, bool normalizedSpace, bool officialQuirks, double[] defaultEps, string[] defaultAttacks, AttackLoss[] losses,
        Norm? norm = null)
    {
        Norm = norm ?? Norm.Linf;
        Name = name;
        Title = title;
        NormalizedSpace = normalizedSpace;
        OfficialQuirks = officialQuirks;
        DefaultEps = defaultEps;
        DefaultAttacks = defaultAttacks;
        Losses = losses;
    }

    public string Name { get; }

    /// <summary>The threat model: the norm that measures ε.</summary>
    public Norm Norm { get; }

    /// <summary>Today's rules (pixels, clamped, CE and margin), in any norm: what the attack gate judges.</summary>
    public bool IsStandard => !NormalizedSpace;

    /// <summary>The official iterative attack's bugs: the input gradient is summed across steps and the range is never clamped.</summary>
    public bool OfficialQuirks { get; }

    /// <summary>The paper's protocols run the official budgets whatever a preset or option says; only the standard one can be changed.</summary>
    public bool FixedBudgets => NormalizedSpace;

    /// <summary>How a report heads this protocol's numbers.</summary>
    public string Title { get; }

    /// <summary>True: ε is in normalized units and attacks perturb (x − mean) / std.</summary>
    public bool NormalizedSpace { get; }

    /// <summary>The unit of this protocol's ε.</summary>
    public EpsUnit Unit => NormalizedSpace ? EpsUnit.Normalized : EpsUnit.PixelsOf(Norm);

    public IReadOnlyList<double> DefaultEps { get; }
    public IReadOnlyList<string> DefaultAttacks { get; }

    /// <summary>The losses every gradient attack runs with; the worst case is taken over them.</summary>
    public IReadOnlyList<AttackLoss> Losses { get; }

    public static IReadOnlyList<AttackProtocol> All { get; } = new[] { Standard, StandardL2, StandardL1, Paper, PaperFixed };

    public static AttackProtocol Parse(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new LabelRepException($"unknown attack protocol '{name}'; valid: {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>This protocol's rules in <paramref name="norm"/>'s threat model (<c>--protocol standard --norm l2</c> is standard-l2).</summary>
    public AttackProtocol In(Norm norm)
    {
        if (norm == Norm) return this;
        if (NormalizedSpace)
            throw new LabelRepException($"--norm {norm.Name}: the paper's protocols are L∞ in normalized units, as the official code runs them; use --protocol standard");
        return All.First(p => p.IsStandard && p.Norm == norm);
    }

    /// <summary>The paper's α = ε/steps; Madry et al.'s 2.5·ε/steps otherwise.</summary>
    public double StepSize(double eps, int steps) => NormalizedSpace ? eps / steps : 2.5 * eps / steps;

    /// <summary>Attacks that make sense under this protocol: the paper's work only with gradients in normalized units; every attack only in the norms it has.</summary>
    public void Validate(IAttack attack)
    {
        if (Refusal(attack) is { } reason) throw new LabelRepException(reason);
    }

    /// <summary>Why <paramref name="attack"/> cannot run under this protocol, or null.</summary>
    public string? Refusal(IAttack attack) =>
        NormalizedSpace && attack.Family is AttackFamily.GradientFree or AttackFamily.Transfer
            ? $"attack '{attack.Name}' is part of the standard protocol only; use --protocol standard"
            : !attack.Norms.Contains(Norm) ? $"--norm {Norm.Name}: attack '{attack.Name}' supports {string.Join(", ", attack.Norms.Select(n => n.Name))} only" : null;

    public override string ToString() => Name;
}
