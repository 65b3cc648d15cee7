using System.Globalization;
using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Training;

/// <summary>
/// Madry-style adversarial training (Madry et al., ICLR 2018): every training batch is replaced by PGD adversarial
/// examples of the current model, a uniform random start in the L∞ ball of radius <see cref="Eps"/> (pixel units,
/// images in [0, 1]) and <see cref="Steps"/> signed-gradient steps of <see cref="StepSize"/> (default 2.5ε/steps),
/// ascending the label kind's own training loss ("training") or the margin over the decision rule's class scores
/// ("margin"). The examples are crafted in eval mode (batch norm on its running statistics, as TRADES and most
/// PyTorch recipes do) so that crafting does not move the statistics; the update itself is a normal training step.
/// The random start of step s in epoch e comes from a generator seeded by (seed, e, s), so a resumed run crafts the
/// same examples.
/// </summary>
public sealed record AdversarialTraining
{
    public static readonly string[] Attacks = { "pgd" };
    public static readonly string[] Losses = { "training", "margin" };

    public string Attack { get; init; } = "pgd";
    /// <summary>L∞ radius in pixel units (8/255 = 0.0314).</summary>
    public double Eps { get; init; } = 8 / 255.0;
    public int Steps { get; init; } = 7;
    /// <summary>Step size in pixel units; null: 2.5·ε/steps.</summary>
    public double? StepSize { get; init; }
    /// <summary>"training": the kind's training loss; "margin": best other class score minus the true one.</summary>
    public string Loss { get; init; } = "training";

    [System.Text.Json.Serialization.JsonIgnore] public double Step => StepSize ?? 2.5 * Eps / Steps;

    /// <summary>A short name for tables and a study's arms, e.g. "pgd7-8/255" (with "-margin" for the margin loss).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{Attack}{Steps}-{EpsUnit.Pixels.Format(Eps)}{(StepSize is { } s ? "-step" + EpsUnit.Pixels.Format(s) : "")}{(Loss == "margin" ? "-margin" : "")}";

    public void Validate()
    {
        if (!Attacks.Contains(Attack)) throw new LabelRepException($"--adversarial {Attack}: unknown; valid: {string.Join(", ", Attacks)}");
        if (!(Eps > 0 && Eps <= 1)) throw new LabelRepException($"--adv-eps {Eps.ToString(CultureInfo.InvariantCulture)}: must be in (0, 1] (pixel units, e.g. 8/255)");
        if (Steps is < 1 or > 1000) throw new LabelRepException($"--adv-steps {Steps}: must be from 1 to 1,000");
        if (StepSize is { } s && !(s > 0 && s <= 1)) throw new LabelRepException($"--adv-step-size {s.ToString(CultureInfo.InvariantCulture)}: must be in (0, 1]");
        if (!Losses.Contains(Loss)) throw new LabelRepException($"--adv-loss {Loss}: unknown; valid: {string.Join(", ", Losses)}");
    }

    /// <summary>
    /// Adversarial examples of <paramref name="images"/> (pixels in [0, 1], on the model's device) for the model in its
    /// current weights; the model is left in train mode.
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
            var settings = new AttackSettings
            {
                Eps = Eps, Loss = Loss == "training" ? AttackLoss.Training : AttackLoss.Margin, Protocol = AttackProtocol.Standard,
            };
            using var random = new Generator((ulong)seed);
            return Pgd.Run(space, batch, settings, Steps, 1, random, Step).detach();
        }
        finally
        {
            model.train();
        }
    }

    /// <summary>The seed of the random start of step <paramref name="step"/> in epoch <paramref name="epoch"/>.</summary>
    public static long StartSeed(int seed, int epoch, int step) => unchecked(Trainer.EpochSeed(seed, epoch) * 1_000_033L + step + 1);
}
