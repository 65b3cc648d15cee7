using System.Globalization;
using System.Text.Json.Serialization;
using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Runs;

/// <summary>
/// Madry-style adversarial training (Madry et al., ICLR 2018), as a run's configuration holds it: every training batch
/// is replaced by adversarial examples of the current model, crafted by a registered iterative attack (PGD: a uniform
/// random start in the L∞ ball of radius <see cref="Eps"/>, pixel units, then <see cref="Steps"/> signed-gradient steps)
/// through the same <see cref="AttackSettings"/> an evaluation uses: the standard protocol's step rule (2.5ε/steps)
/// unless <see cref="StepSize"/> replaces it, and an <see cref="AttackLoss"/>, the kind's own training loss
/// ("training") or the margin over the decision rule's class scores ("margin"). The examples are crafted in eval mode
/// (batch norm on its running statistics, as TRADES and most PyTorch recipes do) so that crafting does not move the
/// statistics; the update itself is a normal training step. The caller seeds each step's random start, so a resumed
/// run crafts the same examples.
/// </summary>
public sealed record AdversarialTraining
{
    /// <summary>The losses adversarial training may ascend.</summary>
    public static readonly AttackLoss[] Losses = { AttackLoss.Training, AttackLoss.Margin };

    /// <summary>A registered iterative attack with a random start; only "pgd" today.</summary>
    public string Attack { get; init; } = "pgd";
    /// <summary>L∞ radius in pixel units (8/255 = 0.0314).</summary>
    public double Eps { get; init; } = 8 / 255.0;
    public int Steps { get; init; } = 7;
    /// <summary>Step size in pixel units; null: the standard protocol's 2.5·ε/steps.</summary>
    public double? StepSize { get; init; }
    /// <summary>The loss the examples ascend (written by name, "training" or "margin", in config.json).</summary>
    public AttackLoss Loss { get; init; } = AttackLoss.Training;

    /// <summary>The attack request of one crafting call: the standard protocol, this ε, loss, step and budget.</summary>
    [JsonIgnore]
    public AttackSettings Settings => new()
    {
        Eps = Eps, Loss = Loss, Protocol = AttackProtocol.Standard, Step = StepSize,
        Options = AttackRegistry.Get(Attack).Options.ToDictionary(o => o.Name, o => o.Name == "steps" ? Steps : o.DefaultFor(AttackProtocol.Standard)),
    };

    /// <summary>A short name for tables and a study's arms, e.g. "pgd7-8/255" (with "-margin" for the margin loss).</summary>
    [JsonIgnore]
    public string Key => $"{Attack}{Steps}-{EpsUnit.Pixels.Format(Eps)}{(StepSize is { } s ? "-step" + EpsUnit.Pixels.Format(s) : "")}{(Loss == AttackLoss.Margin ? "-margin" : "")}";

    /// <summary>The loss named on the command line (--adv-loss), one of <see cref="Losses"/>.</summary>
    public static AttackLoss LossNamed(string name) =>
        Losses.FirstOrDefault(l => l.Name == name) ?? throw new LabelRepException($"--adv-loss {name}: unknown; valid: {string.Join(", ", Losses.Select(l => l.Name))}");

    public void Validate()
    {
        if (Attack != "pgd") throw new LabelRepException($"--adversarial {Attack}: unknown; valid: pgd");
        EpsUnit.Check(Eps, "--adv-eps", positive: true, max: 1);
        if (Steps is < 1 or > 1000) throw new LabelRepException($"--adv-steps {Steps}: must be from 1 to 1,000");
        if (StepSize is { } s && !(s > 0 && s <= 1)) throw new LabelRepException($"--adv-step-size {s.ToString(CultureInfo.InvariantCulture)}: must be in (0, 1]");
        if (!Losses.Contains(Loss)) throw new LabelRepException($"--adv-loss {Loss.Name}: not for adversarial training; valid: {string.Join(", ", Losses.Select(l => l.Name))}");
    }

    /// <summary>
    /// Adversarial examples of <paramref name="images"/> (pixels in [0, 1], on the model's device) for the model in its
    /// current weights, from a random start seeded by <paramref name="seed"/>; the model is left in train mode.
    /// </summary>
    public Tensor Craft(Classifier classifier, Tensor images, Tensor labels, long seed)
    {
        var model = classifier.Model;
        model.eval();
        try
        {
            using var folded = model.FoldForEvaluation();
            var space = new AttackSpace(classifier, normalized: false, folded);
            using var lower = torch.tensor(0f, device: images.device);
            using var upper = torch.tensor(1f, device: images.device);
            var batch = new AttackBatch(images, labels, null, lower, upper);
            using var random = new Generator((ulong)seed);
            return AttackRegistry.Get(Attack).Perturb(new AttackContext(space, null, random), batch, Settings).detach();
        }
        finally
        {
            model.train();
        }
    }
}
