using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>How an attack gets its information: one gradient, many gradients, queries only, or another model.</summary>
public enum AttackFamily
{
    SingleStep,
    Iterative,
    GradientFree,
    Transfer,
}

/// <summary>
/// A budget knob of one attack (steps, restarts, queries) with its default under each protocol. A user's value
/// (--steps, a spec's steps) replaces the standard protocol's default of every attack that declares the option; the
/// paper's protocols always run <see cref="Paper"/>.
/// </summary>
public sealed record AttackOption(string Name, string Description, double Standard, double Paper)
{
    public double DefaultFor(AttackProtocol protocol) => protocol.NormalizedSpace ? Paper : Standard;
}

/// <summary>The settings of one attack call: ε, the loss, the protocol's rules and the attack's own options.</summary>
public sealed record AttackSettings
{
    /// <summary>L∞ radius, in the units of the attack space.</summary>
    public double Eps { get; init; }

    public AttackLoss Loss { get; init; } = AttackLoss.CrossEntropy;

    public AttackProtocol Protocol { get; init; } = AttackProtocol.Standard;

    /// <summary>The attack's declared options with their values for this call.</summary>
    public IReadOnlyDictionary<string, double> Options { get; init; } = new Dictionary<string, double>();

    /// <summary>Clamp into the valid range after every step (off only for the official code's iterative attack).</summary>
    public bool ClampEachStep { get; init; } = true;

    /// <summary>The official code's quirk: the input gradient is never zeroed, so step k uses sign(g₁ + … + g_k).</summary>
    public bool AccumulateGradients { get; init; }

    /// <summary>The value of a declared whole-number option (steps, restarts, queries).</summary>
    public int Option(string name) => (int)Real(name);

    /// <summary>The value of a declared option.</summary>
    public double Real(string name) =>
        Options.TryGetValue(name, out double value) ? value : throw new InvalidOperationException($"attack option '{name}' has no value");

    /// <summary>A step size that replaces the protocol's rule (adversarial training's --adv-step-size); null: the rule.</summary>
    public double? Step { get; init; }

    /// <summary>The step size of an iterative attack of <paramref name="steps"/> steps: <see cref="Step"/>, else the protocol's rule.</summary>
    public double StepSize(int steps) => Step ?? Protocol.StepSize(Eps, steps);
}

/// <summary>What an attack may use besides the batch: the attacked model, a source model for transfer, a seeded generator.</summary>
public sealed record AttackContext(AttackSpace Target, AttackSpace? Source, Generator Random);

/// <summary>
/// One adversarial attack. It only perturbs: whether an image counts as robust is decided by the caller from the
/// class scores (the decision rule), not by the attack. A new attack is one class in this folder; it is found by name.
/// </summary>
public interface IAttack : IRegistered
{
    string Description { get; }

    AttackFamily Family { get; }

    /// <summary>The attack's budget knobs and their defaults per protocol.</summary>
    IReadOnlyList<AttackOption> Options => Array.Empty<AttackOption>();

    /// <summary>The losses the attack runs with under a protocol (one results row each): the protocol's, unless the attack says otherwise.</summary>
    IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => protocol.Losses;

    /// <summary>Steps in the results table (1 for a single step, queries for Square).</summary>
    int StepsFor(AttackSettings settings) => Family == AttackFamily.SingleStep ? 1 : settings.Option("steps");

    /// <summary>Restarts in the results table.</summary>
    int RestartsFor(AttackSettings settings) => settings.Options.TryGetValue("restarts", out double r) ? (int)r : 1;

    /// <summary>Adversarial inputs for the batch, within ε of the clean inputs (and, unless the settings say otherwise, inside the valid range).</summary>
    Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings);
}
