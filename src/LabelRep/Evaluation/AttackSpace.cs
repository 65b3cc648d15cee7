using LabelRep.Labels;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// The differentiable function an attack works on: a classifier (model and decision rule), in pixel space ([0, 1],
/// the standard protocol) or in normalized space ((x − mean) / std, the paper's protocol).
/// </summary>
public sealed class AttackSpace
{
    /// <param name="model">The model to run (default: the classifier's <see cref="Classifier.Evaluated"/>, batch norm folded once frozen).</param>
    public AttackSpace(Classifier classifier, bool normalized, IImageModel? model = null)
    {
        Classifier = classifier;
        Normalized = normalized;
        Model = model ?? classifier.Evaluated;
    }

    /// <summary>What the attacks run forward and backward through.</summary>
    public IImageModel Model { get; }

    public Classifier Classifier { get; }

    public Objective Objective => Classifier.Objective;

    /// <summary>True: inputs are normalized images and ε is in normalized units.</summary>
    public bool Normalized { get; }

    /// <summary>Images in [0, 1] → inputs of this space.</summary>
    public Tensor FromPixels(Tensor pixels) => Normalized ? Model.Normalization.call(pixels) : pixels;

    private float[]? _gaps;

    /// <summary>
    /// The gap between every two labels (<see cref="LabelGeometry.PairGaps"/>), (C, C) in the caller's dispose scope:
    /// computed once and kept as numbers (no tensor outlives the scope that made it), a small tensor per call.
    /// </summary>
    public Tensor LabelGaps
    {
        get
        {
            if (_gaps is null)
            {
                using var scope = torch.NewDisposeScope();
                _gaps = LabelGeometry.PairGaps(Objective, torch.CPU).data<float>().ToArray();
            }
            int classes = Classifier.ClassCount;
            return torch.tensor(_gaps, new long[] { classes, classes }).to(Classifier.Device);
        }
    }

    /// <summary>Forward passes so far, one per image (what an attack spends; read before and after it).</summary>
    public long Forwards { get; private set; }

    /// <summary>Backward passes (input gradients) so far, one per image.</summary>
    public long Backwards { get; private set; }

    /// <summary>Counts passes that an interrupted run spent on a batch a resumed one takes from its journal (<see cref="SweepJournal"/>).</summary>
    internal void Spent(long forwards, long backwards)
    {
        Forwards += forwards;
        Backwards += backwards;
    }

    /// <summary>The model's raw output (logits, label vector or label image).</summary>
    public Tensor Output(Tensor input)
    {
        Forwards += input.shape[0];
        return Normalized ? Model.ForwardNormalized(input) : Model.Forward(input);
    }

    /// <summary>Class scores (B, C); argmax is the decision.</summary>
    public Tensor Scores(Tensor input) => Classifier.Decision.Scores(Output(input));

    /// <summary>Predicted classes without building a graph.</summary>
    public Tensor Predict(Tensor input)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Scores(input).argmax(1));
    }

    /// <summary>
    /// ∇ₓ of the per-image attack loss, summed over the batch. Images do not interact in eval mode, so each image's
    /// gradient equals the one it would get alone (which makes batched attacks equal one-at-a-time attacks).
    /// </summary>
    public Tensor Gradient(Tensor input, AttackBatch batch, AttackLoss loss) =>
        Pass(input, output => loss.Compute(this, output, batch), withScores: false).Gradient;

    /// <summary>∇ₓ of the loss at the batch's clean inputs: the sweep's shared copy when the runner keeps one.</summary>
    public Tensor CleanGradient(AttackBatch batch, AttackLoss loss) =>
        batch.Shared is { } shared ? shared.Of(this, batch, loss) : Gradient(batch.Clean, batch, loss);

    /// <summary>
    /// One forward and backward pass: the per-image value of <paramref name="loss"/> (a function of the model's output),
    /// its input gradient (of the sum over the batch) and the class scores (the ones the loss computed, if it did),
    /// without graph state left behind. Every layer's activation is freed on return: only the three results join the
    /// caller's dispose scope (a caller outside a per-step scope, as APGD's start per target, would otherwise hold a
    /// forward pass of activations each time).
    /// </summary>
    public (Tensor Loss, Tensor Gradient, Tensor Scores) Evaluate(Tensor input, Func<ScoredOutput, Tensor> loss)
    {
        var (value, gradient, scores) = Pass(input, loss, withScores: true);
        return (value, gradient, scores!);
    }

    /// <summary>
    /// <see cref="Evaluate"/>, with the class scores only when asked: a gradient alone does not need them, and for label
    /// images they cost a subtraction, a square and a mean over the whole output per class (<c>NearestLabelScores.Direct</c>).
    /// </summary>
    private (Tensor Loss, Tensor Gradient, Tensor? Scores) Pass(Tensor input, Func<ScoredOutput, Tensor> loss, bool withScores)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.enable_grad();
        Tensor x = input.detach().requires_grad_(true);
        var output = new ScoredOutput(Output(x), Classifier.Decision);
        Tensor value = loss(output);
        Tensor gradient = torch.autograd.grad(new[] { value.sum() }, new[] { x })[0];
        Backwards += x.shape[0];
        if (!withScores) return (scope.MoveToOuter(value.detach()), scope.MoveToOuter(gradient), null);
        using var noGrad = torch.no_grad();
        // The scores the loss took (the same values as without a graph), or, for a loss that took none, computed now
        // without one
        Tensor scores = output.Scores.detach();
        return (scope.MoveToOuter(value.detach()), scope.MoveToOuter(gradient), scope.MoveToOuter(scores));
    }
}
