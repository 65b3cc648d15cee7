using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Labels;

/// <summary>
/// How a model's output becomes a class: per-class scores (B, C) whose argmax is the predicted class (ties: lowest
/// index). Training's validation, accuracy, every attack, export and the Python loader use the same rule by its name.
/// </summary>
public abstract class Decision
{
    /// <summary>The name in metrics.json and model.json.</summary>
    public abstract string Name { get; }

    /// <summary>Per-class scores (B, C): logits, or −MSE to each class's label.</summary>
    public abstract Tensor Scores(Tensor output);

    /// <summary>The predicted class per image (ties: lowest index).</summary>
    public Tensor Predict(Tensor output) => Scores(output).argmax(1);
}

/// <summary>The output is the class scores (logits); the largest wins.</summary>
public sealed class ArgmaxDecision : Decision
{
    public const string DecisionName = "argmax";

    public override string Name => DecisionName;

    public override Tensor Scores(Tensor output) => output;
}

/// <summary>
/// The nearest label by mean squared error (docs/protocols.md §6): score_c = −mean over the label's elements of
/// (output − label_c)², so argmax of the scores is the 1-NN rule of the official code.
/// </summary>
public sealed class NearestLabelDecision : Decision
{
    public const string DecisionName = "nearest-label-mse";
    private readonly LabelBank _bank;

    public NearestLabelDecision(LabelBank bank) => _bank = bank;

    public override string Name => DecisionName;

    /// <summary>
    /// One class at a time: exact and small in memory for 64×64 labels. When the output needs a gradient (attacks), one
    /// autograd node with a matrix-product backward (<see cref="NearestLabelScores"/>); the same scores either way.
    /// </summary>
    public override Tensor Scores(Tensor output)
    {
        Tensor o = output.reshape(output.shape[0], -1);
        Tensor l = _bank.Targets.reshape(_bank.ClassCount, -1);
        return o.requires_grad && torch.is_grad_enabled() && !l.requires_grad ? NearestLabelScores.Apply(o, l) : NearestLabelScores.Direct(o, l);
    }
}
