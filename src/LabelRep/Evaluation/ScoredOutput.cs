using LabelRep.Labels;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// A model's output for a batch, with its class scores computed on first use and kept: an attack's loss and the
/// decision it checks after the step read the same scores, so a step computes them once (for label images they are a
/// subtraction, a square and a mean over the whole output per class).
/// </summary>
public sealed class ScoredOutput
{
    private readonly Decision _decision;
    private Tensor? _scores;

    public ScoredOutput(Tensor output, Decision decision)
    {
        Output = output;
        _decision = decision;
    }

    /// <summary>The model's raw output (logits, label vector or label image).</summary>
    public Tensor Output { get; }

    /// <summary>Class scores (B, C) of <see cref="Output"/>, in the graph when the output is.</summary>
    public Tensor Scores => _scores ??= _decision.Scores(Output);

    /// <summary>The scores if something has asked for them yet, else null (lets a test see that a step reuses its loss's).</summary>
    internal Tensor? ScoresIfComputed => _scores;
}
