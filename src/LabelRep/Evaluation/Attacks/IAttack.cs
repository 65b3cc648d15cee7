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

/// <summary>The knobs of one attack call; each attack reads the ones it uses.</summary>
public sealed record AttackSettings
{
    /// <summary>L∞ radius, in the units of the attack space.</summary>
    public double Eps { get; init; }

    /// <summary>Gradient steps of an iterative attack (BIM, PGD, the transfer attack's PGD).</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Step size of an iterative attack, in the units of <see cref="Eps"/>.</summary>
    public double StepSize { get; init; }

    /// <summary>PGD restarts from random points; per image the first successful one is kept.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Queries (model calls per image) of a gradient-free attack.</summary>
    public int Queries { get; init; } = 500;

    public AttackLoss Loss { get; init; } = AttackLoss.CrossEntropy;

    /// <summary>Clamp into the valid range after every step (off only for the official code's iterative attack).</summary>
    public bool ClampEachStep { get; init; } = true;

    /// <summary>The official code's quirk: the input gradient is never zeroed, so step k uses sign(g₁ + … + g_k).</summary>
    public bool AccumulateGradients { get; init; }
}

/// <summary>What an attack may use besides the batch: the attacked model, a source model for transfer, a seeded generator.</summary>
public sealed record AttackContext(AttackSpace Target, AttackSpace? Source, Generator Random);

/// <summary>
/// One adversarial attack. It only perturbs: whether an image counts as robust is decided by the caller from the
/// class scores (the decision rule), not by the attack. A new attack is one class in this folder; it is found by name.
/// </summary>
public interface IAttack
{
    /// <summary>Name on the command line and in results, e.g. "pgd".</summary>
    string Name { get; }

    string Description { get; }

    AttackFamily Family { get; }

    /// <summary>Steps in the results table for these settings (1 for FGSM, queries for Square).</summary>
    int StepsFor(AttackSettings settings) => Family == AttackFamily.SingleStep ? 1 : settings.Steps;

    /// <summary>Adversarial inputs for the batch, within ε of the clean inputs (and, unless the settings say otherwise, inside the valid range).</summary>
    Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings);
}
