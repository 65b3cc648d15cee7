using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation.Attacks;

/// <summary>The loop BIM, PGD and the transfer attack share: steepest ascent in the norm (signed gradients for L∞) projected onto the ε-ball.</summary>
internal static class SignedGradientSteps
{
    /// <summary>
    /// <paramref name="steps"/> steps from <paramref name="start"/>: x ← Π(x + α·sign(g)), α from the settings (the protocol's rule unless they set a step). With the
    /// official quirk the gradients are summed over steps before the sign is taken, as in the paper's code.
    /// </summary>
    public static Tensor Run(AttackSpace space, AttackBatch batch, AttackSettings settings, Tensor start, int steps, CancellationToken cancel = default)
    {
        Tensor x = start.detach();
        Tensor? gradientSum = null;
        double stepSize = settings.StepSize(steps);
        for (int step = 0; step < steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            // From the clean images (BIM, transfer), the first gradient is the one FGSM and every other ε take too.
            Tensor gradient = step == 0 && ReferenceEquals(start, batch.Clean) ? space.CleanGradient(batch, settings.Loss) : space.Gradient(x, batch, settings.Loss);
            if (settings.AccumulateGradients)
            {
                Tensor sum = gradientSum is null ? gradient : gradientSum + gradient;
                scope.MoveToOuter(sum);
                gradientSum?.Dispose();
                gradientSum = gradient = sum;
            }
            Tensor next = scope.MoveToOuter(batch.Project(x + stepSize * batch.Norm.Ascent(gradient), settings.Eps, settings.ClampEachStep));
            x.Dispose(); // the previous iterate (or the detached view of the start, whose storage the caller keeps)
            x = next;
        }
        return x;
    }
}
