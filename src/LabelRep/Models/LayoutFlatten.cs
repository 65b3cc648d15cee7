using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Models;

/// <summary>
/// <c>nn.Flatten()</c> (N, C, H, W) → (N, C·H·W) in PyTorch's order, whose gradient comes back in the input's layout.
/// <para>
/// Why: libtorch's flatten of a channels-last input returns the gradient as an NCHW tensor, and the pooling before it
/// then runs its NCHW backward kernel and copies the result back to channels-last, several times slower than with a
/// channels-last gradient (docs/performance.md, "Why the custom layers exist").
/// Values are the same to float rounding; only the layout differs. Global pooling (1×1 output, every other backbone)
/// has one layout, so there this is the plain flatten.
/// </para>
/// </summary>
public sealed class LayoutFlatten : Module<Tensor, Tensor>
{
    public LayoutFlatten() : base("Flatten") { }

    public override Tensor forward(Tensor input) =>
        input.dim() == 4 && input.requires_grad && IsChannelsLast(input) ? ChannelsLastFlatten.Apply(input) : input.flatten(1);

    /// <summary>Channels-last strides in a tensor that has more than one layout (more than one channel and pixel).</summary>
    private static bool IsChannelsLast(Tensor x) =>
        x.shape[1] > 1 && x.shape[2] * x.shape[3] > 1 && LabelRepModel.HasChannelsLastStrides(x);

    /// <summary>The flatten as an autograd node whose backward pass returns a channels-last gradient.</summary>
    private sealed class ChannelsLastFlatten : autograd.SingleTensorFunction<ChannelsLastFlatten>
    {
        public override string Name => nameof(ChannelsLastFlatten);

        public static Tensor Apply(Tensor input) => apply(input);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            ctx.save_data("shape", input.shape);
            return input.flatten(1);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var shape = (long[])ctx.get_data("shape");
            using var scope = torch.NewDisposeScope();
            return new List<Tensor> { scope.MoveToOuter(LabelRepModel.ToChannelsLast(grad.reshape(shape))) };
        }
    }
}
