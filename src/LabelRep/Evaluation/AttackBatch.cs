using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// The images one attack call perturbs, in the attack space: clean inputs, true classes, optional target classes
/// (targeted attack), and the valid range each input must stay in (scalars, or per image for the paper's clamp).
/// </summary>
public sealed record AttackBatch(Tensor Clean, Tensor Labels, Tensor? Targets, Tensor Lower, Tensor Upper)
{
    public bool Targeted => Targets is not null;

    public long Count => Clean.shape[0];

    /// <summary>The sweep's shared gradients at these clean inputs, when the runner keeps them (never for a subset).</summary>
    public CleanGradients? Shared { get; init; }

    /// <summary>The threat model the perturbations are measured in (L∞ unless the sweep's protocol says otherwise).</summary>
    public Norm Norm { get; init; } = Norm.Linf;

    /// <summary>Projects onto the <see cref="Norm"/> ball of radius <paramref name="eps"/> around the clean inputs, then (when <paramref name="clamp"/>) into [Lower, Upper].</summary>
    public Tensor Project(Tensor x, double eps, bool clamp = true)
    {
        if (Norm == Norm.Linf)
        {
            Tensor projected = torch.minimum(torch.maximum(x, Clean - eps), Clean + eps);
            return clamp ? Clamp(projected) : projected;
        }
        using var radius = torch.tensor(eps);
        return Norm.Project(x, Clean, radius, Lower, Upper, clamp);
    }

    public Tensor Clamp(Tensor x) => torch.minimum(torch.maximum(x, Lower), Upper);

    /// <summary>The images at <paramref name="rows"/> (with their targets and, when per image, their bounds).</summary>
    public AttackBatch Select(Tensor rows) => this with
    {
        Clean = Clean.index_select(0, rows),
        Labels = Labels.index_select(0, rows),
        Targets = Targets?.index_select(0, rows),
        Lower = Rows(Lower, rows),
        Upper = Rows(Upper, rows),
        Shared = null,
    };

    private static Tensor Rows(Tensor bound, Tensor rows) => bound.shape.Length == 0 || bound.shape[0] == 1 ? bound : bound.index_select(0, rows);

    /// <summary>True per image where the <paramref name="predicted"/> class makes the attack succeed: misclassified, or (targeted) the target class.</summary>
    public Tensor Succeeded(Tensor predicted) => Targets is null ? predicted.ne(Labels) : predicted.eq(Targets);
}
