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

/// <summary>What kind of number an attack option is.</summary>
public enum OptionUnit
{
    /// <summary>A whole number of something (steps, restarts, queries, target classes).</summary>
    Count,

    /// <summary>A share in (0, 1] (Square's initial square size).</summary>
    Share,

    /// <summary>0 or 1.</summary>
    Switch,
}

/// <summary>
/// A budget knob of one attack (steps, restarts, queries), declared once: its name (the CLI flag --NAME and the study
/// spec key NAME with '_' for '-'), what it is, its unit and valid range, and its default under each protocol. A user's
/// value replaces the standard protocol's default of every attack that declares the option; the paper's protocols
/// always run <see cref="Paper"/>. <see cref="AttackOptions"/> lists every declared option; the CLI's flags, the
/// validation and the docs' table come from there.
/// </summary>
public sealed record AttackOption(string Name, string Description, double Standard, double Paper)
{
    public OptionUnit Unit { get; init; } = OptionUnit.Count;

    /// <summary>The smallest valid value.</summary>
    public double Min { get; init; } = 1;

    /// <summary>The largest valid value.</summary>
    public double Max { get; init; } = 100_000;

    public double DefaultFor(AttackProtocol protocol) => protocol.NormalizedSpace ? Paper : Standard;

    /// <summary>The key of the option in a study spec's attack section.</summary>
    public string SpecKey => Name.Replace('-', '_');

    /// <summary>The valid values in words, e.g. "a whole number from 1 to 100,000".</summary>
    public string Range => Unit switch
    {
        OptionUnit.Count => $"a whole number from {Min.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} to {Max.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}",
        OptionUnit.Share => $"a number above {Min.ToString(System.Globalization.CultureInfo.InvariantCulture)} and at most {Max.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        _ => "0 or 1",
    };

    /// <summary>Whether <paramref name="value"/> is valid for this option.</summary>
    public bool Accepts(double value) => Unit switch
    {
        OptionUnit.Count => double.IsFinite(value) && value == Math.Floor(value) && value >= Min && value <= Max,
        OptionUnit.Share => double.IsFinite(value) && value > Min && value <= Max,
        _ => value is 0 or 1,
    };

    /// <summary>The one check of a value a user gave (<paramref name="source"/> names where: "--steps", "study 'x': attack.steps").</summary>
    public void Check(double value, string source)
    {
        if (!Accepts(value))
            throw new LabelRepException($"{source} {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}: must be {Range}");
    }

    /// <summary>A value from the command line, read the same in every locale.</summary>
    public double Parse(string text, string source)
    {
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value))
            throw new LabelRepException($"{source} '{text}': must be {Range}");
        Check(value, source);
        return value;
    }
}

/// <summary>The settings of one attack call: ε, the loss, the protocol's rules and the attack's own options.</summary>
public sealed record AttackSettings
{
    /// <summary>The radius of the ball in the protocol's norm, in the units of the attack space.</summary>
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

/// <summary>
/// An attack that searches each image's smallest fooling perturbation (FAB-T, FMN) rather than the worst point of one
/// ball: one run gives every image's distance, and with it robust accuracy at every ε (robust at ε when the distance is
/// above ε) and the robustness curve R(ε).
/// </summary>
public interface IMinimalAttack
{
    /// <summary>
    /// Per image, the closest fooling point found and its distance in the batch's norm (the clean image and ∞ where none
    /// was found). An image stops being searched once its distance is at most <see cref="AttackSettings.Eps"/>; ε = 0
    /// searches every image with the whole budget.
    /// </summary>
    (Tensor Points, Tensor Norms) Minimal(AttackContext context, AttackBatch batch, AttackSettings settings);
}

/// <summary>What an attack may use besides the batch: the attacked model, a source model for transfer, a seeded generator, and the token that stops it between two steps.</summary>
public sealed record AttackContext(AttackSpace Target, AttackSpace? Source, Generator Random)
{
    /// <summary>Checked at every step, query or iteration, so that Ctrl-C or SIGTERM stops even a long attack within one step.</summary>
    public CancellationToken Cancel { get; init; }
}

/// <summary>
/// One adversarial attack. It only perturbs: whether an image counts as robust is decided by the caller from the
/// class scores (the decision rule), not by the attack. A new attack is one class in this folder; it is found by name.
/// </summary>
public interface IAttack : IRegistered
{
    string Description { get; }

    AttackFamily Family { get; }

    /// <summary>The threat models the attack can run in (L∞ only, unless it says otherwise).</summary>
    IReadOnlyList<Norm> Norms => new[] { Norm.Linf };

    /// <summary>The attack's budget knobs and their defaults per protocol.</summary>
    IReadOnlyList<AttackOption> Options => Array.Empty<AttackOption>();

    /// <summary>The losses the attack runs with under a protocol (one results row each): the protocol's, unless the attack says otherwise.</summary>
    IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => protocol.Losses;

    /// <summary>Steps in the results table (1 for a single step, queries for Square).</summary>
    int StepsFor(AttackSettings settings) => Family == AttackFamily.SingleStep ? 1 : settings.Option("steps");

    /// <summary>Model queries per image in the results table (a gradient-free attack's budget); null for the others.</summary>
    int? QueriesFor(AttackSettings settings) => settings.Options.TryGetValue("queries", out double q) ? (int)q : null;

    /// <summary>Restarts in the results table.</summary>
    int RestartsFor(AttackSettings settings) => settings.Options.TryGetValue("restarts", out double r) ? (int)r : 1;

    /// <summary>
    /// Forward-and-backward passes the attack spends per image at one ε under <paramref name="settings"/>, at most (an
    /// attack that stops early spends fewer); a forward alone counts a third. <c>study plan</c>'s cost model.
    /// </summary>
    double Passes(AttackSettings settings) => Family switch
    {
        AttackFamily.SingleStep => 1,
        AttackFamily.GradientFree => settings.Option("queries") / 3.0,
        _ => (double)StepsFor(settings) * RestartsFor(settings) * (settings.Options.TryGetValue("targets", out double t) ? t : 1),
    };

    /// <summary>Why the attack cannot run on a classifier of <paramref name="classes"/> classes, or null when it can (checked before a sweep starts).</summary>
    string? CannotRun(int classes) => null;

    /// <summary>Adversarial inputs for the batch, within ε of the clean inputs (and, unless the settings say otherwise, inside the valid range).</summary>
    Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings);
}
