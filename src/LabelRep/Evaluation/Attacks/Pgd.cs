using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>
/// Projected gradient descent (Madry et al. 2018): a uniform random start in the ε-ball, then signed-gradient
/// steps (20 of 2.5ε/20 by default); in L2 and L1 a random start on the sphere and steps along the norm's
/// steepest-ascent direction (<see cref="Norm.Ascent"/>). With several restarts, each image keeps the first restart that fooled the model
/// (else the last).
/// </summary>
public sealed class Pgd : IAttack
{
    public static readonly AttackOption Steps = new("steps", "gradient steps (iterations)", Standard: 20, Paper: 5);

    public string Name => "pgd";
    public string Description => "signed-gradient steps from a random point in the ε-ball, with restarts";
    public AttackFamily Family => AttackFamily.Iterative;
    public IReadOnlyList<Norm> Norms => Norm.All;

    public IReadOnlyList<AttackOption> Options { get; } = new[] { Steps, new AttackOption("restarts", "random restarts", Standard: 1, Paper: 1) { Max = 1_000 } };

    public Tensor Perturb(AttackContext context, AttackBatch batch, AttackSettings settings) =>
        Run(context.Target, batch, settings, settings.Option("steps"), settings.Option("restarts"), context.Random, context.Cancel);

    /// <summary>PGD on <paramref name="space"/>; also the transfer attack's crafting step on its source model.</summary>
    internal static Tensor Run(AttackSpace space, AttackBatch batch, AttackSettings settings, int steps, int restarts, Generator random, CancellationToken cancel = default)
    {
        Tensor? best = null;
        Tensor? done = null;
        for (int restart = 0; restart < Math.Max(1, restarts); restart++)
        {
            Tensor start;
            if (batch.Norm == Norm.Linf)
            {
                Tensor noise = torch.rand(batch.Clean.shape, dtype: batch.Clean.dtype, generator: random).to(batch.Clean.device);
                start = batch.Project(batch.Clean + (noise * 2 - 1) * settings.Eps, settings.Eps);
            }
            else start = batch.Norm.RandomStart(batch, torch.tensor(settings.Eps), random);
            Tensor x = SignedGradientSteps.Run(space, batch, settings, start, steps, cancel);
            if (restarts <= 1) return x;
            Tensor fooled = batch.Succeeded(space.Predict(x));
            if (best is null || done is null)
            {
                best = x;
                done = fooled;
            }
            else
            {
                Tensor keep = done.view(-1, 1, 1, 1);
                best = torch.where(keep, best, x);
                done = done.logical_or(fooled);
            }
        }
        return best!;
    }
}
