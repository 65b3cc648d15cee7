using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Basic iterative method (Kurakin et al. 2017), the paper's "iterative" attack: signed-gradient steps from the
/// clean image, projected onto the ε-ball (the paper: 5 steps of ε/5; the standard protocol: 10 steps of 2.5ε/10).
/// </summary>
public sealed class Bim : IAttack
{
    public string Name => "bim";
    public string Description => "iterative signed-gradient steps from the clean image (the paper's iterative attack)";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;

    public IReadOnlyList<AttackOption> Options { get; } = new[] { new AttackOption("steps", "gradient steps (iterations)", Standard: 10, Paper: 5) };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings) =>
        SignedGradientSteps.Run(context.Target, batch, settings, batch.Clean, settings.Option("steps"), context.Cancel);
}
