using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// An attack aimed at the label decoder, targeted: for each of the top-k other classes by the clean scores, Auto-PGD
/// pulls the raw output toward that class's label, −mean((o − l_t)²) over the gap between the true and the target
/// label (<see cref="LabelGeometry.Pull"/>), on the images not fooled yet; it succeeds when the image is misclassified.
/// On a logit head the pull is the pair margin s_t − s_y. Unlike APGD-T it needs only 2 classes.
/// </summary>
public sealed class ApgdLabelTargeted : IAttack
{
    public string Name => "apgd-label-t";
    public string Description => "targeted Auto-PGD pulling the raw output toward each top-k other class's label (scaled by the labels' gap)";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;

    public IReadOnlyList<AttackOption> Options { get; } = new[]
    {
        Apgd.Iterations, Apgd.Restarts, Apgd.Targets,
    };

    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Label };

    public string? CannotRun(int classes) => classes < 2 ? $"apgd-label-t needs at least 2 classes, this classifier has {classes}" : null;

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings) =>
        ApgdTargeted.OverTargets(context, batch, settings, AttackLoss.Label);
}
