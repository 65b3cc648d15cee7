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

    [Theory]
    [InlineData("smallcnn", 1, 28)]
    [InlineData("resnet20", 1, 28)]
    [InlineData("resnet32", 3, 32)]
    [InlineData("resnet110", 3, 32)]
    [InlineData("vgg19", 3, 32)]
    [InlineData("vgg19", 1, 28)]
    public void Every_backbone_takes_its_input_size_and_gives_class_logits(string name, int channels, int size)
    {
        using var model = Build(name, channels, HeadShape.Vector(10));
        model.eval();
        using var x = torch.rand(2, channels, size, size);
        using var y = model.call(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
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
