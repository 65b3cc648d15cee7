using LabelRep.Models;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.Models;

public class ModelTests
{
    private static LabelRepModel Build(string name, int channels, HeadShape head) =>
        new(new Normalize(Enumerable.Repeat(0.5f, channels).ToArray(), Enumerable.Repeat(0.25f, channels).ToArray()),
            ModelRegistry.Create(name, channels), head);

    [Theory]
    [InlineData("vgg19", 20_040_522)]
    [InlineData("resnet32", 466_906)]
    [InlineData("resnet110", 1_730_714)]
    public void Paper_backbones_with_a_10_class_linear_head_have_the_official_parameter_counts(string name, long expected)
    {
        using var model = Build(name, 3, HeadShape.Vector(10));
        Assert.Equal(expected, model.ParameterCount());
    }

    /// <summary>Every registered backbone, on Fashion-MNIST's and CIFAR's input shapes.</summary>
    public static IEnumerable<object[]> EveryBackbone() =>
        ModelRegistry.Names.SelectMany(n => new[] { new object[] { n, 1, 28 }, new object[] { n, 3, 32 } });

    [Theory]
    [MemberData(nameof(EveryBackbone))]
    public void Every_backbone_takes_its_input_size_and_gives_class_logits(string name, int channels, int size)
    {
        using var model = Build(name, channels, HeadShape.Vector(10));
        model.eval();
        using var x = torch.rand(2, channels, size, size);
        using var y = model.call(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    [Theory]
    [InlineData("smallcnn", 1, 28, false)]
    [InlineData("resnet20", 1, 28, false)]
    [InlineData("resnet32", 3, 32, true)]
    public void Channels_last_and_nchw_give_the_same_outputs_and_gradients(string name, int channels, int size, bool decoder)
    {
        using var model = Build(name, channels, decoder ? new HeadShape(new[] { 64, 64 }) : HeadShape.Vector(10));
        // In float64, so that what is compared is the layout and not float32 rounding (train-mode batch norm's backward
        // cancels large terms, which makes float32 rounding differences reach ~1%).
        model.train();
        model.to(torch.float64);
        using var x = torch.rand(8, channels, size, size, dtype: torch.float64);
        (torch.Tensor Output, torch.Tensor InputGrad, torch.Tensor WeightGrad) Pass(bool channelsLast)
        {
            model.ChannelsLast = channelsLast;
            model.zero_grad();
            var input = x.clone().requires_grad_(true);
            var output = model.call(input);
            output.square().sum().backward();
            var firstConv = model.parameters().First(p => p.dim() == 4);
            return (output.detach(), input.grad!.clone(), firstConv.grad!.clone());
        }
        var nchw = Pass(false);
        var last = Pass(true);
        foreach (var (a, b, what) in new[] { (last.Output, nchw.Output, "output"), (last.InputGrad, nchw.InputGrad, "input gradient"), (last.WeightGrad, nchw.WeightGrad, "first conv's weight gradient") })
        {
            double scale = b.abs().max().item<double>(), diff = (a - b).abs().max().item<double>();
            Assert.True(scale > 0, $"{what} is all zero");
            Assert.True(diff <= 1e-9 * scale, $"{name} {what}: max difference {diff:G3} against max magnitude {scale:G3}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Images_get_channels_last_strides_even_with_one_channel(int channels)
    {
        using var x = torch.rand(4, channels, 6, 5);
        using var y = LabelRepModel.ToChannelsLast(x);
        Assert.Equal(new long[] { 6 * 5 * channels, 1, 5 * channels, channels }, y.stride());
        Assert.True(y.equal(x).all().item<bool>());
        Assert.Same(y, LabelRepModel.ToChannelsLast(y));
    }

    [Fact]
    public void Smallcnn_is_about_a_tenth_of_a_million_parameters()
    {
        using var model = Build("smallcnn", 1, HeadShape.Vector(10));
        Assert.InRange(model.ParameterCount(), 80_000, 120_000);
    }

    [Fact]
    public void Unknown_model_names_list_the_valid_ones()
    {
        var e = Assert.Throws<LabelRepException>(() => ModelRegistry.Create("resnet18", 3));
        Assert.Contains("resnet32", e.Message);
        Assert.Contains("vgg19", e.Message);
    }

    [Fact]
    public void Conv_weights_follow_the_paper_initialization()
    {
        torch.manual_seed(1);
        using var model = Build("resnet32", 3, HeadShape.Vector(10));
        var conv = model.named_parameters().First(p => p.name.EndsWith("layer3.0.conv1.weight"));
        double expectedStd = Math.Sqrt(2.0 / (3 * 3 * 64));
        Assert.Equal(expectedStd, conv.parameter.std().item<float>(), 3);
    }
}
