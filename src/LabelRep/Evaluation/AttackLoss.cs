using LabelRep.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// What an attack ascends, per image. "training" is the paper's: the model's own training loss (cross-entropy, or
/// Smooth-L1 to the label tensor). "ce" and "margin" act on the class scores of the decision rule (for regression
/// labels score_c = −MSE to label c), so they attack the decision itself. "dlr" is AutoAttack's difference-of-logits
/// ratio (Croce and Hein 2020), which divides by the spread of the top scores and so does not care that −MSE scores
/// reach thousands. "label" is aimed at the decoder (<see cref="LabelGeometry"/>): it measures the output against the
/// labels themselves, each distance scaled by the gap between the two labels it compares. For targeted attacks each is
/// turned toward the target.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(AttackLossJson))]
public sealed class AttackLoss
{
    public static readonly AttackLoss Training = new("training", "the training loss (paper §7)");
    public static readonly AttackLoss CrossEntropy = new("ce", "cross-entropy over the class scores");
    public static readonly AttackLoss Margin = new("margin", "best other class score minus the true (targeted: target minus best other) score");
    public static readonly AttackLoss Dlr = new("dlr", "difference-of-logits ratio over the class scores (targeted: AutoAttack's targeted DLR)");
    public static readonly AttackLoss Label = new("label",
        "the decoder's own geometry: the largest distance margin to another label over the gap between the two labels (targeted: the pull toward the target's label over that gap)");

    private AttackLoss(string name, string description)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; }
    public string Description { get; }

    public static IReadOnlyList<AttackLoss> All { get; } = new[] { Training, CrossEntropy, Margin, Dlr, Label };

    public static AttackLoss Parse(string name) =>
        All.FirstOrDefault(l => l.Name == name)
        ?? throw new LabelRepException($"unknown attack loss '{name}'; valid: {string.Join(", ", All.Select(l => l.Name))}");

    /// <summary>The loss to maximize, one value per image (B).</summary>
    public Tensor Compute(AttackSpace space, Tensor output, AttackBatch batch) => Compute(space, new ScoredOutput(output, space.Objective.Decision), batch);

    /// <summary>The loss to maximize, one value per image (B), from an output whose scores are computed at most once.</summary>
    public Tensor Compute(AttackSpace space, ScoredOutput output, AttackBatch batch) => Compute(space, output, batch.Labels, batch.Targets);

    /// <summary>The loss to maximize per image, for true classes <paramref name="labels"/> and, when targeted, <paramref name="targets"/>.</summary>
    public Tensor Compute(AttackSpace space, ScoredOutput output, Tensor labels, Tensor? targets)
    {
        Objective objective = space.Objective;
        if (this == Training)
            return targets is null ? objective.PerImageLoss(output.Output, labels) : -objective.PerImageLoss(output.Output, targets);
        if (this == Label)
            return targets is null ? LabelGeometry.Margin(space, output, labels) : LabelGeometry.Pull(space, output, labels, targets);
        Tensor scores = output.Scores;
        if (this == CrossEntropy)
        {
            return targets is null
                ? nn.functional.cross_entropy(scores, labels, reduction: nn.Reduction.None)
                : -nn.functional.cross_entropy(scores, targets, reduction: nn.Reduction.None);
        }
        if (this == Dlr)
            return targets is null ? DifferenceOfLogitsRatio(scores, labels) : TargetedDifferenceOfLogitsRatio(scores, labels, targets);
        Tensor goal = (targets ?? labels).unsqueeze(1);
        Tensor goalScore = scores.gather(1, goal).squeeze(1);
        Tensor isGoal = nn.functional.one_hot(goal.squeeze(1), scores.shape[1]).to_type(ScalarType.Bool);
        Tensor bestOther = scores.masked_fill(isGoal, float.NegativeInfinity).amax(new long[] { 1 });
        return targets is null ? bestOther - goalScore : goalScore - bestOther;
    }

    /// <summary>
    /// DLR = −(z_y − max_{j≠y} z_j) / (z_π1 − z_π3 + 1e−12), z sorted descending as π (AutoAttack's dlr_loss). Needs 3 classes.
    /// </summary>
    public static Tensor DifferenceOfLogitsRatio(Tensor scores, Tensor labels)
    {
        if (scores.shape[1] < 3) throw new LabelRepException("the DLR loss needs at least 3 classes");
        var (sorted, order) = scores.sort(1);
        Tensor trueScore = scores.gather(1, labels.unsqueeze(1)).squeeze(1);
        Tensor topIsTrue = order.select(1, -1).eq(labels).to_type(scores.dtype);
        Tensor bestOther = sorted.select(1, -2) * topIsTrue + sorted.select(1, -1) * (1 - topIsTrue);
        return -(trueScore - bestOther) / (sorted.select(1, -1) - sorted.select(1, -3) + 1e-12);
    }

    /// <summary>Targeted DLR = −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e−12) (AutoAttack's dlr_loss_targeted). Needs 4 classes.</summary>
    public static Tensor TargetedDifferenceOfLogitsRatio(Tensor scores, Tensor labels, Tensor targets)
    {
        if (scores.shape[1] < 4) throw new LabelRepException("the targeted DLR loss needs at least 4 classes");
        Tensor sorted = scores.sort(1).Values;
        Tensor trueScore = scores.gather(1, labels.unsqueeze(1)).squeeze(1);
        Tensor targetScore = scores.gather(1, targets.unsqueeze(1)).squeeze(1);
        return -(trueScore - targetScore) / (sorted.select(1, -1) - 0.5 * (sorted.select(1, -3) + sorted.select(1, -4)) + 1e-12);
    }

    public override string ToString() => Name;
}

/// <summary>An <see cref="AttackLoss"/> in JSON is its name ("training", "ce", "margin", "dlr").</summary>
public sealed class AttackLossJson : System.Text.Json.Serialization.JsonConverter<AttackLoss>
{
    public override AttackLoss Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        string? name = reader.TokenType == System.Text.Json.JsonTokenType.String ? reader.GetString() : null;
        return AttackLoss.All.FirstOrDefault(l => l.Name == name)
               ?? throw new System.Text.Json.JsonException($"unknown attack loss {(name is null ? "(not a string)" : $"'{name}'")}; valid: {string.Join(", ", AttackLoss.All.Select(l => l.Name))}");
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, AttackLoss value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name);
}
