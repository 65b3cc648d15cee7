using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// An attack aimed at the label decoder, untargeted: Auto-PGD (<see cref="ApgdCore"/>'s step schedule) on the "label"
/// loss, which pushes the raw output away from its own label toward whichever other label it is relatively nearest,
/// the distance margin divided by the gap between the two labels (<see cref="LabelGeometry.Margin"/>). On a logit head
/// it is APGD on the logit margin. The defences that decide by distances to codes lost most of their reported robustness
/// once attacks used the decoder's own geometry (docs/protocols.md §9); this is that attack for every label kind.
/// </summary>
public sealed class ApgdLabel : IAttack
{
    public string Name => "apgd-label";
    public string Description => "Auto-PGD on the decoder's scale-invariant distance margin to the relatively nearest other label";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;
    public IReadOnlyList<AttackOption> Options { get; } = new[] { Apgd.Iterations, Apgd.Restarts };

    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Label };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings) =>
        new Apgd().Perturb(context, batch, settings with { Loss = AttackLoss.Label });
}
