using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Models;

/// <summary>A folded layer (fixed weights) that computes its output and its input gradient itself, faster than libtorch would.</summary>
internal interface IOwnInputGradient
{
    /// <summary>The layer's output, without autograd.</summary>
    Tensor Output(Tensor input);

    /// <summary>∂L/∂input from ∂L/∂output.</summary>
    Tensor InputGradient(Tensor outputGradient);
}

/// <summary>
/// The autograd node of an <see cref="IOwnInputGradient"/> layer: its output, differentiable with respect to the
/// input only (the weights are constants). Used by <see cref="FoldedConv2d"/> on one-channel images
/// (<see cref="OneChannelConvGradient"/>) and by the label decoder's folded upsampling layers
/// (<see cref="FastConvTranspose2d"/>).
/// </summary>
internal sealed class OwnInputGradient : autograd.SingleTensorFunction<OwnInputGradient>
{
    public override string Name => nameof(OwnInputGradient);

    public static Tensor Apply(Tensor input, IOwnInputGradient layer) => apply(input, layer);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var layer = (IOwnInputGradient)vars[1];
        ctx.save_data("layer", layer);
        return layer.Output((Tensor)vars[0]);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
    {
        var layer = (IOwnInputGradient)ctx.get_data("layer");
        // The intermediates are freed here, on the thread that runs the backward pass (see LabelRepModel.FoldForEvaluation);
        // the gradient goes to the caller's scope, like any operation's result.
        using var scope = torch.NewDisposeScope();
        return new List<Tensor> { scope.MoveToOuter(layer.InputGradient(grad)), null! };
    }
}
