using LabelRep.Training;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Training;

public class LayerBenchmarkTests
{
    /// <summary>
    /// The attack-step profile walks the folded model in order: each layer's input is the previous layer's output, and
    /// smallcnn's ReLUs come after their max pooling (the folded order), its convolutions with batch norm folded in.
    /// </summary>
    [Fact]
    public void The_attack_profile_walks_the_folded_model_layer_by_layer()
    {
        var timings = LayerBenchmark.RunAttack(new ThroughputBenchmark.Case("smallcnn", 1, 28, "categorical"), batchSize: 4, threads: 1, steps: 1, CPU);
        Assert.Equal(new[] { "conv3x3 1→32", "MaxPool2d", "ReLU", "conv3x3 32→64", "MaxPool2d", "ReLU", "conv3x3 64→128", "ReLU", "AdaptiveAvgPool2d", "LayoutFlatten", "linear 1152→10" },
            timings.Select(t => t.Name));
        Assert.Equal(new long[] { 1, 28, 28 }, timings[0].Input);
        Assert.Equal(new long[] { 10 }, timings[^1].Output);
        for (int i = 1; i < timings.Count; i++) Assert.Equal(timings[i - 1].Output, timings[i].Input);
        Assert.All(timings, t => Assert.True(t.ForwardMs >= 0 && t.BackwardMs >= 0));

        var resnet = LayerBenchmark.RunAttack(new ThroughputBenchmark.Case("resnet20", 1, 28, "decoder"), batchSize: 2, threads: 1, steps: 1, CPU);
        Assert.Equal(9, resnet.Count(t => t.Name.StartsWith("block [", StringComparison.Ordinal)));
        Assert.Contains(resnet, t => t.Name == "block [conv3x3/2 16→32, conv3x3 32→32, conv1x1/2 16→32]");
        Assert.Equal(new long[] { 64, 64 }, resnet[^1].Output);
    }
}
