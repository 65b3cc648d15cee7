using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Fast gradient sign method (Goodfellow et al. 2015): x' = clamp(x + ε·sign(∇ₓL)); in L2 and L1 the same one step of
/// length ε along the norm's steepest-ascent direction (the fast gradient method).
/// </summary>
public sealed class Fgsm : IAttack
{
    public string Name => "fgsm";
    public string Description => "one signed-gradient step of size ε";
    public AttackFamily Family => AttackFamily.SingleStep;
    public IReadOnlyList<Norm> Norms => Norm.All;

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        Tensor gradient = context.Target.CleanGradient(batch, settings.Loss);
        return batch.Clamp(batch.Clean + settings.Eps * batch.Norm.Ascent(gradient));
    }
}
