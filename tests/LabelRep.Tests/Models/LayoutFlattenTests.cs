using LabelRep.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Models;

public class LayoutFlattenTests
{
    /// <summary>
    /// Behind an average pooling, as in smallcnn (7×7 → 3×3, overlapping windows), on channels-last and NCHW input and
    /// a 1×1 output (global pooling): the same values as <c>flatten(1)</c>, forward and backward (the layout is the next test's).
    /// </summary>
    [Theory]
    [InlineData(7, 3, true)]
    [InlineData(7, 3, false)]
    [InlineData(8, 1, true)]
    public void It_flattens_as_flatten_does_and_returns_the_gradient_in_the_inputs_layout(int size, int pooled, bool channelsLast)
    {
        torch.manual_seed(3);
        using var flatten = new LayoutFlatten();
        using var nchw = torch.randn(5, 6, size, size, float64);
        Tensor input = channelsLast ? nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : nchw;
        using var x = input.detach().clone().requires_grad_(true);
        using var x2 = input.detach().clone().requires_grad_(true);

        using var got = flatten.call(nn.functional.adaptive_avg_pool2d(x, pooled));
        using var expected = nn.functional.adaptive_avg_pool2d(x2, pooled).flatten(1);
        Assert.Equal(expected.shape, got.shape);
        Assert.True(got.equal(expected).all().item<bool>(), "the flattened values differ");
        using (torch.no_grad())
        using (var withoutGradient = flatten.call(nn.functional.adaptive_avg_pool2d(input, pooled)))
            Assert.True(withoutGradient.equal(expected).all().item<bool>(), "the output without a gradient differs");

        using var g = torch.randn(got.shape, float64);
        torch.autograd.backward(new[] { got }, new[] { g });
        torch.autograd.backward(new[] { expected }, new[] { g });
        Assert.True(x.grad!.allclose(x2.grad!, rtol: 1e-12, atol: 1e-14), $"input gradients differ by {(x.grad! - x2.grad!).abs().max().item<double>()}");
    }

    /// <summary>The property itself: the gradient that reaches the flattened tensor is channels-last, where libtorch's flatten gives NCHW.</summary>
    [Fact]
    public void The_gradient_of_a_channels_last_input_is_channels_last()
    {
        using var flatten = new LayoutFlatten();
        using var nchw = torch.randn(4, 8, 3, 3);
        using var leaf = nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).detach().requires_grad_(true);
        using var plainLeaf = nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).detach().requires_grad_(true);
        // autograd.grad, not backward(): a leaf's .grad is restrided to the leaf's layout, which would hide the difference.
        using var gradient = torch.autograd.grad(new[] { flatten.call(leaf).sum() }, new[] { leaf })[0];
        using var plainGradient = torch.autograd.grad(new[] { plainLeaf.flatten(1).sum() }, new[] { plainLeaf })[0];
        Assert.Equal(new long[] { 72, 1, 24, 8 }, gradient.stride());
        Assert.NotEqual(gradient.stride(), plainGradient.stride()); // what the layer is for: libtorch's flatten returns NCHW
        Assert.True(gradient.equal(plainGradient).all().item<bool>());
    }
}
