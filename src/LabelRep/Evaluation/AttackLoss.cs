using LabelRep.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// What an attack ascends, per image. "training" is the paper's: the model's own training loss (cross-entropy, or
/// Smooth-L1 to the label tensor). "ce" and "margin" act on the class scores of the decision rule (for regression
/// labels score_c = −MSE to label c), so they attack the decision itself. For targeted attacks each is turned
/// toward the target.
/// </summary>
public sealed class AttackLoss
{
    public static readonly AttackLoss Training = new("training", "the training loss (paper §7)");
    public static readonly AttackLoss CrossEntropy = new("ce", "cross-entropy over the class scores");
    public static readonly AttackLoss Margin = new("margin", "best other class score minus the true (targeted: target minus best other) score");

    private AttackLoss(string name, string description)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; }
    public string Description { get; }

    public static IReadOnlyList<AttackLoss> All { get; } = new[] { Training, CrossEntropy, Margin };

    public static AttackLoss Parse(string name) =>
        All.FirstOrDefault(l => l.Name == name)
        ?? throw new LabelRepException($"unknown attack loss '{name}'; valid: {string.Join(", ", All.Select(l => l.Name))}");

    /// <summary>The loss to maximize, one value per image (B).</summary>
    public Tensor Compute(AttackSpace space, Tensor output, AttackBatch batch)
    {
        Objective objective = space.Objective;
        if (this == Training)
            return batch.Targets is null ? objective.PerImageLoss(output, batch.Labels) : -objective.PerImageLoss(output, batch.Targets);
        Tensor scores = objective.Decision.Scores(output);
        if (this == CrossEntropy)
        {
            return batch.Targets is null
                ? nn.functional.cross_entropy(scores, batch.Labels, reduction: nn.Reduction.None)
                : -nn.functional.cross_entropy(scores, batch.Targets, reduction: nn.Reduction.None);
        }
        Tensor goal = (batch.Targets ?? batch.Labels).unsqueeze(1);
        Tensor goalScore = scores.gather(1, goal).squeeze(1);
        Tensor isGoal = nn.functional.one_hot(goal.squeeze(1), scores.shape[1]).to_type(ScalarType.Bool);
        Tensor bestOther = scores.masked_fill(isGoal, float.NegativeInfinity).amax(new long[] { 1 });
        return batch.Targets is null ? bestOther - goalScore : goalScore - bestOther;
    }

    public override string ToString() => Name;
}
