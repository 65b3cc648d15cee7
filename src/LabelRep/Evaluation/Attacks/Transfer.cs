using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Transfer attack: PGD (one start) crafted on another trained model (<c>--source</c>, e.g. a categorical one),
/// evaluated on this one. A model that resists white-box attacks but falls to transferred ones is masking its gradients.
/// </summary>
public sealed class Transfer : IAttack
{
    public string Name => "transfer";
    public string Description => "PGD crafted on the --source run's model, evaluated on this one";
    public AttackFamily Family => AttackFamily.Transfer;
    public IReadOnlyList<Norm> Norms => Norm.All;

    public IReadOnlyList<AttackOption> Options { get; } = new[] { Pgd.Steps };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        AttackSpace source = context.Source
            ?? throw new LabelRepException("the transfer attack needs a source model: add --source RUN_DIR (for example a categorical run)");
        return Pgd.Run(source, batch, settings, settings.Option("steps"), restarts: 1, context.Random, context.Cancel);
    }
}
