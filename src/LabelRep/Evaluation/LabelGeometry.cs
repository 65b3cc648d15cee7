using LabelRep.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// The losses of the attacks aimed at a label decoder (the "label" loss), made scale-invariant. A nearest-label head's
/// class score is s_c = −mean((o − l_c)²), so s_k − s_y is a distance margin in the labels' own units; two classes whose
/// labels are far apart need a large margin, two close ones a small one. Dividing by gap(y, k) = mean((l_y − l_k)²)
/// makes every pair's margin the share of the way from the true label to the bisector with label k (1 on the far
/// label): a loss that means the same for every pair, every kind and every label scale. A head whose scores are logits
/// (categorical, label smoothing) has no label geometry in its output: its gap is 1, the margin is the logit margin.
/// LabelRep's heads do not squash their output (no tanh, no normalisation before the distance), so these losses act on
/// the raw, un-squashed output the decision itself reads.
/// </summary>
public static class LabelGeometry
{
    /// <summary>(C, C): mean((l_i − l_j)²) for a nearest-label head, 1 for a logit head; the diagonal is 1 (never divided by).</summary>
    public static Tensor PairGaps(Objective objective, Device device)
    {
        using var scope = torch.NewDisposeScope();
        int classes = objective.Bank.ClassCount;
        if (objective.Decision is not NearestLabelDecision) return scope.MoveToOuter(torch.ones(classes, classes, device: device));
        Tensor labels = objective.Bank.Targets.reshape(classes, -1).to(device).to_type(ScalarType.Float32);
        Tensor gaps = (labels.unsqueeze(1) - labels.unsqueeze(0)).pow(2).mean(new long[] { 2 });
        return scope.MoveToOuter(gaps + torch.eye(classes, device: device));
    }

    /// <summary>Untargeted: max over k ≠ y of (s_k − s_y) / gap(y, k); positive once the output is nearer another label.</summary>
    public static Tensor Margin(AttackSpace space, ScoredOutput output, Tensor labels)
    {
        Tensor scores = output.Scores;
        Tensor own = scores.gather(1, labels.unsqueeze(1));
        Tensor scaled = (scores - own) / space.LabelGaps.index_select(0, labels);
        Tensor isOwn = nn.functional.one_hot(labels, scores.shape[1]).to_type(ScalarType.Bool);
        return scaled.masked_fill(isOwn, float.NegativeInfinity).amax(new long[] { 1 });
    }

    /// <summary>
    /// Targeted: the pull of the raw output toward the target's label, −mean((o − l_t)²) / gap(y, t), for a nearest-label
    /// head; for a logit head, whose output is not in label space, the pair margin s_t − s_y.
    /// </summary>
    public static Tensor Pull(AttackSpace space, ScoredOutput output, Tensor labels, Tensor targets)
    {
        Tensor gap = space.LabelGaps.index_select(0, labels).gather(1, targets.unsqueeze(1)).squeeze(1);
        if (space.Objective.Decision is not NearestLabelDecision)
            return output.Scores.gather(1, targets.unsqueeze(1)).squeeze(1) - output.Scores.gather(1, labels.unsqueeze(1)).squeeze(1);
        Tensor o = output.Output.reshape(output.Output.shape[0], -1);
        Tensor aim = space.Objective.Bank.Targets.reshape(space.Objective.Bank.ClassCount, -1).to(o.device).index_select(0, targets);
        return -(o - aim).pow(2).mean(new long[] { 1 }) / gap;
    }
}
