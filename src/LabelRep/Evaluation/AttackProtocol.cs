using LabelRep.Evaluation.Attacks;

namespace LabelRep.Evaluation;

/// <summary>
/// The rules an attack sweep follows. "paper" (§7 of the protocol): normalized input units, the training loss,
/// FGSM clamped to each image's own min and max, 5 iterative steps of ε/5. "standard" (today's practice): pixel
/// units, clamp to [0, 1] after every step, cross-entropy and margin over the class scores.
/// </summary>
public sealed class AttackProtocol
{
    public static readonly AttackProtocol Paper = new(
        "paper", "Paper protocol (ε in normalized units, the training loss)", normalizedSpace: true,
        defaultEps: new[] { 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3 },
        defaultAttacks: new[] { "fgsm", "bim" },
        losses: new[] { AttackLoss.Training });

    public static readonly AttackProtocol Standard = new(
        "standard", "Standard protocol (ε in pixels, CE and margin over class scores)", normalizedSpace: false,
        defaultEps: new[] { 0, 1 / 255.0, 2 / 255.0, 4 / 255.0, 8 / 255.0, 16 / 255.0 },
        defaultAttacks: new[] { "fgsm", "bim", "pgd", "square" },
        losses: new[] { AttackLoss.CrossEntropy, AttackLoss.Margin });

    private AttackProtocol(string name, string title, bool normalizedSpace, double[] defaultEps, string[] defaultAttacks, AttackLoss[] losses)
    {
        Name = name;
        Title = title;
        NormalizedSpace = normalizedSpace;
        DefaultEps = defaultEps;
        DefaultAttacks = defaultAttacks;
        Losses = losses;
    }

    public string Name { get; }

    /// <summary>How a report heads this protocol's numbers.</summary>
    public string Title { get; }

    /// <summary>True: ε is in normalized units and attacks perturb (x − mean) / std.</summary>
    public bool NormalizedSpace { get; }

    /// <summary>The unit of this protocol's ε.</summary>
    public EpsUnit Unit => NormalizedSpace ? EpsUnit.Normalized : EpsUnit.Pixels;

    public IReadOnlyList<double> DefaultEps { get; }
    public IReadOnlyList<string> DefaultAttacks { get; }

    /// <summary>The losses every gradient attack runs with; the worst case is taken over them.</summary>
    public IReadOnlyList<AttackLoss> Losses { get; }

    public static IReadOnlyList<AttackProtocol> All { get; } = new[] { Standard, Paper };

    public static AttackProtocol Parse(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new LabelRepException($"unknown attack protocol '{name}'; valid: {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>The losses <paramref name="attack"/> runs with under this protocol.</summary>
    public IReadOnlyList<AttackLoss> LossesFor(IAttack attack) =>
        attack.Family == AttackFamily.GradientFree ? new[] { AttackLoss.Margin } : Losses;

    /// <summary>The paper's α = ε/steps; Madry et al.'s 2.5·ε/steps otherwise.</summary>
    public double StepSize(double eps, int steps) => this == Paper ? eps / steps : 2.5 * eps / steps;

    /// <summary>Attacks that make sense under this protocol: the paper's works only with gradients in normalized units.</summary>
    public void Validate(IAttack attack)
    {
        if (this == Paper && attack.Family is AttackFamily.GradientFree or AttackFamily.Transfer)
            throw new LabelRepException($"attack '{attack.Name}' is part of the standard protocol only; use --protocol standard");
    }

    public override string ToString() => Name;
}
