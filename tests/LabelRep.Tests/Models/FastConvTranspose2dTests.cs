using LabelRep.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Models;

public class FastConvTranspose2dTests
{
    /// <summary>The decoder's layers (64×64 and BERT's 48×48 labels) and one that falls back to libtorch's transposed convolution.</summary>
    [Theory]
    [InlineData(64, 64, 4, 1, 0, 1)]
    [InlineData(64, 64, 3, 1, 0, 1)]
    [InlineData(64, 32, 4, 2, 1, 4)]
    [InlineData(16, 8, 4, 2, 1, 16)]
    [InlineData(8, 1, 4, 2, 1, 32)]
    [InlineData(5, 3, 3, 2, 1, 7)]
    public void It_equals_a_transposed_convolution_in_float64_forward_and_backward(int inC, int outC, int kernel, int stride, int padding, int size)
    {
        torch.manual_seed(3);
        using var fast = new FastConvTranspose2d(inC, outC, kernel, stride, padding);
        fast.to(float64);
        var (weight, bias) = (fast.get_parameter("weight")!, fast.get_parameter("bias")!);
        using var x = torch.randn(3, inC, size, size, float64).requires_grad_(true);
        using var x2 = x.detach().clone().requires_grad_(true);
        using var w2 = weight.detach().clone().requires_grad_(true);
        using var b2 = bias.detach().clone().requires_grad_(true);

        using var got = fast.call(x);
        using var expected = nn.functional.conv_transpose2d(x2, w2, b2, strides: new long[] { stride, stride }, padding: new long[] { padding, padding });
        Assert.Equal(expected.shape, got.shape);
        Assert.True(got.allclose(expected, rtol: 1e-12, atol: 1e-12), $"max difference {(got - expected).abs().max().item<double>()}");

        using var g = torch.randn(got.shape, float64);
        torch.autograd.backward(new[] { got }, new[] { g });
        torch.autograd.backward(new[] { expected }, new[] { g });
        Assert.True(x.grad!.allclose(x2.grad!, rtol: 1e-12, atol: 1e-12), "input gradients differ");
        Assert.True(weight.grad!.allclose(w2.grad!, rtol: 1e-12, atol: 1e-12), "weight gradients differ");
        Assert.True(bias.grad!.allclose(b2.grad!, rtol: 1e-12, atol: 1e-12), "bias gradients differ");
    }

    /// <summary>
    /// Folded for evaluation (no batch norm, so the weights are the layer's), each decoder upsampling layer gives
    /// libtorch's transposed convolution's output and input gradient, on channels-last input (as in the decoder) and
    /// on NCHW input, with and without a gradient; and a configuration it does not rewrite falls back to libtorch.
    /// </summary>
    [Theory]
    [InlineData(64, 32, 4, 2, 1, 4, true)]
    [InlineData(32, 16, 4, 2, 1, 8, true)]
    [InlineData(16, 8, 4, 2, 1, 16, true)]
    [InlineData(8, 1, 4, 2, 1, 32, true)]
    [InlineData(8, 1, 4, 2, 1, 32, false)]
    [InlineData(5, 3, 4, 2, 1, 7, false)]
    [InlineData(5, 3, 3, 2, 1, 7, true)]
    public void Folded_it_equals_a_transposed_convolution_in_float64_output_and_input_gradient(int inC, int outC, int kernel, int stride, int padding, int size, bool channelsLast)
    {
        torch.manual_seed(5);
        using var fast = new FastConvTranspose2d(inC, outC, kernel, stride, padding);
        fast.to(float64);
        using var folded = fast.Fold(null);
        var (weight, bias) = (fast.get_parameter("weight")!.detach(), fast.get_parameter("bias")!.detach());
        using var nchw = torch.randn(3, inC, size, size, float64);
        Tensor input = channelsLast ? nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : nchw;
        using var x = input.detach().clone().requires_grad_(true);
        using var x2 = input.detach().clone().requires_grad_(true);

        using var got = folded.Forward(x);
        using var expected = nn.functional.conv_transpose2d(x2, weight, bias, strides: new long[] { stride, stride }, padding: new long[] { padding, padding });
        Assert.Equal(expected.shape, got.shape);
        Assert.True(got.allclose(expected, rtol: 1e-12, atol: 1e-12), $"max difference {(got - expected).abs().max().item<double>()}");
        using (torch.no_grad())
        using (var withoutGradient = folded.Forward(input))
            Assert.True(withoutGradient.allclose(expected, rtol: 1e-12, atol: 1e-12), "the output without a gradient differs");

        using var g = torch.randn(got.shape, float64);
        torch.autograd.backward(new[] { got }, new[] { g });
        torch.autograd.backward(new[] { expected }, new[] { g });
        Assert.True(x.grad!.allclose(x2.grad!, rtol: 1e-12, atol: 1e-12), $"input gradients differ by {(x.grad! - x2.grad!).abs().max().item<double>()}");
    }

    /// <summary>The decoder's last layer (one output channel, whose gradient comes back with NCHW strides) keeps the backward pass below it channels-last.</summary>
    [Fact]
    public void Folded_its_input_gradient_is_channels_last_even_from_a_one_channel_output()
    {
        torch.manual_seed(6);
        using var layer = new FastConvTranspose2d(8, 1, 4, 2, 1);
        using var folded = layer.Fold(null);
        using var nchw = torch.randn(2, 8, 16, 16);
        using var x = nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).detach().requires_grad_(true);
        using var output = folded.Forward(x);
        using var loss = output.reshape(2, -1).pow(2).sum(); // a loss on the flat label, as the decoder's
        using var gradient = torch.autograd.grad(new[] { loss }, new[] { x })[0];
        Assert.Equal(new long[] { 8 * 16 * 16, 1, 16 * 8, 8 }, gradient.stride());
    }

    [Fact]
    public void It_is_initialized_and_named_as_libtorchs_transposed_convolution()
    {
        torch.manual_seed(11);
        using var reference = nn.ConvTranspose2d(32, 16, 4, stride: 2, padding: 1);
        torch.manual_seed(11);
        using var fast = new FastConvTranspose2d(32, 16, 4, 2, 1);
        Assert.Equal(reference.state_dict().Keys.OrderBy(k => k), fast.state_dict().Keys.OrderBy(k => k));
        Assert.True(reference.weight!.equal(fast.get_parameter("weight")!).all().item<bool>());
        Assert.True(reference.bias!.equal(fast.get_parameter("bias")!).all().item<bool>());
    }
}
