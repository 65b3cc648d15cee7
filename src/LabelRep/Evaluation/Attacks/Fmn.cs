using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Fast Minimum-Norm attack (FMN; Pintor, Roli, Brendel and Biggio, NeurIPS 2021), in L∞, L2 and L1. It looks for the
/// smallest perturbation that fools the model, not the worst point of a fixed ball: gradient steps on the margin loss
/// (best other score − true score; targeted: target − best other), each of length α along the L2-normalized gradient,
/// projected onto a ball whose radius ε_k adapts per image. While no adversarial point is known, ε_k is the current
/// length plus a linear estimate of the distance to the boundary (|loss| / ‖∇‖ in the dual norm), times 1 + γ (one
/// departure from the reference: without that factor an estimate that is exact, as on a linear model, lands each step
/// on the boundary without crossing it, and the image is never fooled; measured in MinimalNormTests); once one is, ε_k
/// shrinks by the factor 1 − γ after each adversarial step (never above the best length found) and grows by 1 + γ after
/// each other one. α anneals from 1 to 0.01 and γ from 0.05 to 0.001 on a cosine schedule. The smallest fooling
/// perturbation seen is kept; <see cref="Minimal"/> returns it per image (∞ where none was found), and one run gives
/// robust accuracy at every ε (an image is robust at ε when its distance is above ε).
/// </summary>
public sealed class Fmn : IAttack, IMinimalAttack
{
    public const double AlphaInit = 1.0, AlphaFinal = 0.01, GammaInit = 0.05, GammaFinal = 0.001;

    public string Name => "fmn";
    public string Description => "Fast Minimum-Norm: the smallest perturbation found by margin steps inside a ball whose radius adapts (Pintor et al. 2021)";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;
    /// <summary>100 steps by default (Foolbox's); the paper's experiments ran 1,000.</summary>
    public IReadOnlyList<AttackOption> Options { get; } = new[] { Apgd.Iterations };

    public IReadOnlyList<AttackLoss> Losses(AttackProtocol protocol) => new[] { AttackLoss.Margin };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        using var scope = torch.NewDisposeScope();
        var (points, norms) = Minimal(context, batch, settings);
        Tensor within = norms.le(settings.Eps).view(-1, 1, 1, 1);
        return scope.MoveToOuter(torch.where(within, points, batch.Project(points, settings.Eps)));
    }

    /// <summary>Per image, the closest fooling point found and its distance in the batch's norm (the clean image and ∞ where none).</summary>
    public (Tensor Points, Tensor Norms) Minimal(AttackContext context, AttackBatch batch, AttackSettings settings)
    {
        AttackSpace space = context.Target;
        Norm norm = batch.Norm;
        Tensor x0 = batch.Clean;
        int steps = settings.Option("steps");
        Tensor delta = torch.zeros_like(x0);
        Tensor radius = torch.full(batch.Count, double.PositiveInfinity, dtype: x0.dtype, device: x0.device);
        // The longest perturbation the valid range allows: a larger radius changes nothing.
        Tensor worst = norm.Of(torch.maximum(x0 - batch.Lower, batch.Upper - x0));
        Tensor bestNorm = torch.full(batch.Count, double.PositiveInfinity, dtype: x0.dtype, device: x0.device);
        Tensor best = x0.clone();
        Tensor found = torch.zeros(batch.Count, dtype: ScalarType.Bool, device: x0.device);
        for (int i = 0; i < steps; i++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            Tensor[] previous = { delta, radius, bestNorm, best, found };
            using var scope = torch.NewDisposeScope();
            double cosine = (1 + Math.Cos(Math.PI * i / steps)) / 2;
            double alpha = AlphaFinal + (AlphaInit - AlphaFinal) * cosine;
            double gamma = GammaFinal + (GammaInit - GammaFinal) * cosine;
            Tensor x = x0 + delta;
            var (loss, gradient, scores) = space.Evaluate(x, output => AttackLoss.Margin.Compute(space, output, batch.Labels, batch.Targets));
            using (torch.no_grad())
            {
                Tensor length = norm.Of(delta);
                Tensor fooled = batch.Succeeded(scores.argmax(1));
                Tensor closer = fooled.logical_and(length.lt(bestNorm));
                bestNorm = torch.where(closer, length, bestNorm);
                best = torch.where(closer.view(-1, 1, 1, 1), x, best);
                found = found.logical_or(fooled);
                Tensor toBoundary = loss.abs() / norm.Dual(gradient).clamp_min(1e-12);
                radius = torch.where(fooled, torch.minimum(radius * (1 - gamma), bestNorm),
                    torch.where(found, radius * (1 + gamma), (length + toBoundary) * (1 + gamma)));
                radius = torch.minimum(radius, worst);
                Tensor flat = gradient.flatten(1);
                Tensor step = (flat / flat.norm(1, true, 2).clamp_min(1e-12)).view_as(gradient);
                Tensor moved = norm.Project(x0 + delta + alpha * step, x0, radius, batch.Lower, batch.Upper);
                delta = moved - x0;
            }
            Tensor[] state = { delta, radius, bestNorm, best, found };
            foreach (Tensor kept in state)
                if (!previous.Any(p => ReferenceEquals(p, kept))) scope.MoveToOuter(kept);
            foreach (Tensor old in previous)
                if (!state.Any(s => ReferenceEquals(s, old))) old.Dispose();
        }
        return (best, bestNorm);
    }
}
