using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Labels;

/// <summary>
/// The nearest-label scores, −mean over d of (o − l_c)², as one autograd node whose backward pass is a matrix product:
/// ∂/∂o of Σ_c g_c · (−mean((o − l_c)²)) = (2/d) · (g·L − o · Σ_c g_c), with g the scores' gradient (B × C) and L the
/// labels (C × d). The forward pass is <see cref="NearestLabelDecision"/>'s own class-at-a-time arithmetic, so the
/// scores (and so every decision) are bit for bit the same; only the input gradient's float rounding differs.
/// <para>
/// Why: autograd through the class-at-a-time loop takes a subtraction, a square and a mean's backward per class over the
/// whole output (10 × B × 4,096 floats for speech labels): fed into cross-entropy, forward and backward took 12–13 ms
/// for 170 images against 4.6–5.2 ms this way (2 threads), of a speech model's ~80 ms attack step.
/// </para>
/// </summary>
internal sealed class NearestLabelScores : autograd.SingleTensorFunction<NearestLabelScores>
{
    public override string Name => nameof(NearestLabelScores);

    /// <summary>Scores (B, C) of <paramref name="output"/> (B, d) against <paramref name="labels"/> (C, d), differentiable in the output only.</summary>
    public static Tensor Apply(Tensor output, Tensor labels) => apply(output, labels);

    /// <summary>
    /// −mean over d of (o − l_c)², a class at a time (never a B × C × d tensor). The square is taken in place unless
    /// autograd records it: the same values, bit for bit, without a new B × d tensor per class (docs/performance.md, "Why
    /// the custom layers exist").
    /// </summary>
    public static Tensor Direct(Tensor output, Tensor labels)
    {
        var columns = new Tensor[labels.shape[0]];
        for (int c = 0; c < columns.Length; c++)
        {
            using Tensor difference = output - labels[c];
            columns[c] = (difference.requires_grad ? difference.pow(2) : difference.pow_(2)).mean(new long[] { 1 });
        }
        return -torch.stack(columns, 1);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        Tensor output = (Tensor)vars[0], labels = (Tensor)vars[1];
        ctx.save_for_backward(new List<Tensor> { output, labels });
        return Direct(output, labels);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        using var scope = torch.NewDisposeScope();
        List<Tensor> saved = ctx.get_saved_variables();
        Tensor output = saved[0], labels = saved[1];
        // In the output's precision, as the forward's (o − l_c) promotes a float32 bank against a float64 output.
        Tensor input = torch.matmul(grad, labels.to_type(grad.dtype)).sub_(output * grad.sum(1, keepdim: true)).mul_(2.0 / output.shape[1]);
        return new List<Tensor> { scope.MoveToOuter(input), null! };
    }
}
