using System.Diagnostics;
using LabelRep.Models;
using LabelRep.Native;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LabelRep.Training;

/// <summary>
/// Kernel-level profiles. <see cref="Run"/>, of a training step: each distinct layer of a benchmark model
/// (convolution, batch norm in training mode, ReLU, pooling, residual add, linear) timed alone, forward and backward,
/// at the shape it has in the model, with channels-last inputs as training uses. Each layer carries how often it
/// occurs in the model, so the weighted sum approximates a whole step. <c>bench/layer_bench.py</c> reads the same list
/// from this benchmark's JSON and times the same layers in PyTorch; <c>bench/layers_compare.sh</c> sets the two side
/// by side, layer by layer. <see cref="RunAttack"/>, of an attack step, through the folded model itself.
/// </summary>
public static class LayerBenchmark
{
    /// <param name="Input">Per-image input shape: C, H, W (a linear layer: features).</param>
    /// <param name="Out">Output channels (convolution), features (linear), or output side (adaptive average pool).</param>
    /// <param name="InputGrad">Whether backward computes the input's gradient (not for the first convolution).</param>
    /// <param name="Count">How often the layer occurs in the model.</param>
    public sealed record Layer(string Kind, int[] Input, int Out = 0, int Kernel = 0, int Stride = 1, int Padding = 0, bool InputGrad = true, int Count = 1)
    {
        public string Name => Kind switch
        {
            "conv" => $"conv{Kernel}x{Kernel}{(Stride > 1 ? "/" + Stride : "")} {Input[0]}→{Out} @{Input[1]}",
            "linear" => $"linear {Input[0]}→{Out}",
            "avgpool" => $"avgpool {Input[0]} @{Input[1]}→{Out}",
            "maxpool" => $"maxpool {Input[0]} @{Input[1]}",
            _ => $"{Kind} {Input[0]} @{Input[1]}",
        };
    }

    public sealed record Timing(Layer Layer, double ForwardMs, double BackwardMs);

    /// <summary>The layers of smallcnn, resnet20 and resnet32 with the categorical head, by model.</summary>
    public static IReadOnlyDictionary<string, Layer[]> Models { get; } = new Dictionary<string, Layer[]>
    {
        ["smallcnn"] = new Layer[]
        {
            new("conv", new[] { 1, 28, 28 }, 32, 3, 1, 1, InputGrad: false), new("bn", new[] { 32, 28, 28 }), new("relu", new[] { 32, 28, 28 }),
            new("maxpool", new[] { 32, 28, 28 }, Kernel: 2),
            new("conv", new[] { 32, 14, 14 }, 64, 3, 1, 1), new("bn", new[] { 64, 14, 14 }), new("relu", new[] { 64, 14, 14 }),
            new("maxpool", new[] { 64, 14, 14 }, Kernel: 2),
            new("conv", new[] { 64, 7, 7 }, 128, 3, 1, 1), new("bn", new[] { 128, 7, 7 }), new("relu", new[] { 128, 7, 7 }),
            new("avgpool", new[] { 128, 7, 7 }, Out: 3), new("linear", new[] { 1152 }, Out: 10),
        },
        ["resnet20"] = ResNet(3, 1, 28),
        ["resnet32"] = ResNet(5, 3, 32),
    };

    /// <summary>A CIFAR ResNet of n blocks per stage, as <see cref="CifarResNet"/> builds it.</summary>
    private static Layer[] ResNet(int n, int channels, int size)
    {
        int s1 = size, s2 = (size + 1) / 2, s3 = (s2 + 1) / 2;
        return new Layer[]
        {
            new("conv", new[] { channels, s1, s1 }, 16, 3, 1, 1, InputGrad: false),
            new("conv", new[] { 16, s1, s1 }, 16, 3, 1, 1, Count: 2 * n),
            new("bn", new[] { 16, s1, s1 }, Count: 2 * n + 1), new("relu", new[] { 16, s1, s1 }, Count: 2 * n + 1), new("add", new[] { 16, s1, s1 }, Count: n),
            new("conv", new[] { 16, s1, s1 }, 32, 3, 2, 1), new("conv", new[] { 16, s1, s1 }, 32, 1, 2, 0),
            new("conv", new[] { 32, s2, s2 }, 32, 3, 1, 1, Count: 2 * n - 1),
            new("bn", new[] { 32, s2, s2 }, Count: 2 * n + 1), new("relu", new[] { 32, s2, s2 }, Count: 2 * n), new("add", new[] { 32, s2, s2 }, Count: n),
            new("conv", new[] { 32, s2, s2 }, 64, 3, 2, 1), new("conv", new[] { 32, s2, s2 }, 64, 1, 2, 0),
            new("conv", new[] { 64, s3, s3 }, 64, 3, 1, 1, Count: 2 * n - 1),
            new("bn", new[] { 64, s3, s3 }, Count: 2 * n + 1), new("relu", new[] { 64, s3, s3 }, Count: 2 * n), new("add", new[] { 64, s3, s3 }, Count: n),
            new("avgpool", new[] { 64, s3, s3 }, Out: 1), new("linear", new[] { 64 }, Out: 10),
        };
    }

    /// <summary>Median forward and backward milliseconds of each layer over <paramref name="steps"/> timed calls after a warm-up.</summary>
    public static List<Timing> Run(string model, int batchSize, int threads, int steps, Device device, bool channelsLast = true)
    {
        if (!Models.TryGetValue(model, out Layer[]? layers))
            throw new LabelRepException($"--models: '{model}' has no layer list; valid: {string.Join(", ", Models.Keys)}");
        TorchRuntime.SetThreads(threads);
        torch.manual_seed(0);
        var timings = new List<Timing>();
        foreach (Layer layer in layers)
        {
            using var module = Build(layer);
            module.to(device);
            module.train();
            long[] shape = new long[] { batchSize }.Concat(layer.Input.Select(v => (long)v)).ToArray();
            using Tensor x = Prepare(torch.randn(shape), device, channelsLast).requires_grad_(layer.InputGrad);
            using Tensor other = Prepare(torch.randn(shape), device, channelsLast);
            Tensor Forward(Tensor input) => layer.Kind == "add" ? input + other : module.call(input);
            Tensor gradient;
            using (torch.no_grad()) gradient = Prepare(torch.randn_like(Forward(x)), device, channelsLast);
            var forward = new List<double>();
            var backward = new List<double>();
            for (int i = 0; i < 5 + steps; i++)
            {
                using var scope = torch.NewDisposeScope();
                // A new leaf and no parameter gradients each call, as in a training step, where the backward pass
                // writes each gradient fresh, and as bench/layer_bench.py does in PyTorch (grad = None). Zeroing and
                // keeping x.grad made every call add its gradient into the old one, an extra pass over the tensor
                // that only this side paid (resnet20's ReLU 16 @ 28×28, batch 128, one run each: 0.84 ms backward before, 0.32 after).
                Tensor input = x.detach().requires_grad_(layer.InputGrad);
                module.zero_grad(set_to_none: true);
                long t0 = Stopwatch.GetTimestamp();
                Tensor y = Forward(input);
                long t1 = Stopwatch.GetTimestamp();
                y.backward(new[] { gradient });
                long t2 = Stopwatch.GetTimestamp();
                if (i < 5) continue;
                forward.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                backward.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            }
            gradient.Dispose();
            timings.Add(new Timing(layer, Median(forward), Median(backward)));
        }
        return timings;
    }

    /// <param name="Name">The folded layer (<see cref="EvalLayer.Name"/>).</param>
    /// <param name="Input">Its input's shape per image.</param>
    /// <param name="Output">Its output's shape per image.</param>
    public sealed record AttackTiming(string Name, long[] Input, long[] Output, double ForwardMs, double BackwardMs);

    /// <summary>
    /// Kernel-level profile of an attack step: each layer of a model as evaluation runs it (batch norm folded, weights
    /// without autograd state; <see cref="FoldedModel.Layers"/>) timed alone on the input it gets in the model, forward
    /// and the gradient with respect to that input (what an attack's backward pass computes), median of
    /// <paramref name="steps"/> calls after a warm-up. The sum approximates an attack step without its loss.
    /// </summary>
    public static List<AttackTiming> RunAttack(ThroughputBenchmark.Case c, int batchSize, int threads, int steps, Device device, bool channelsLast = true)
    {
        TorchRuntime.SetThreads(threads);
        torch.manual_seed(0);
        using var tensors = torch.NewDisposeScope(); // the inputs and outputs kept between layers, freed on this thread
        using var model = ThroughputBenchmark.FrozenModel(c, device, channelsLast);
        using var folded = model.FoldForEvaluation();
        var timings = new List<AttackTiming>();
        Tensor x;
        using (torch.no_grad()) x = folded.Layout(folded.Normalization.call(torch.rand(batchSize, c.Channels, c.Size, c.Size).to(device)));
        foreach (EvalLayer layer in folded.Layers)
        {
            Tensor output;
            using (torch.no_grad()) output = layer.Forward(x.clone());
            Tensor upstream = torch.randn_like(output); // the same strides as the output
            var forward = new List<double>();
            var backward = new List<double>();
            for (int i = 0; i < 5 + steps; i++)
            {
                using var scope = torch.NewDisposeScope();
                Tensor leaf = x.detach().clone().requires_grad_(true);
                Tensor input = leaf.clone(); // not a leaf: some layers work in place, as in the model
                long t0 = Stopwatch.GetTimestamp();
                Tensor y = layer.Forward(input);
                long t1 = Stopwatch.GetTimestamp();
                torch.autograd.grad(new[] { y }, new[] { leaf }, new[] { upstream });
                long t2 = Stopwatch.GetTimestamp();
                if (i < 5) continue;
                forward.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                backward.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            }
            timings.Add(new AttackTiming(layer.Name, x.shape.Skip(1).ToArray(), output.shape.Skip(1).ToArray(), Median(forward), Median(backward)));
            x = output;
        }
        return timings;
    }

    private static double Median(List<double> values) => values.Count == 0 ? 0 : values.OrderBy(v => v).ElementAt(values.Count / 2);

    /// <summary>4-D tensors channels-last, as the backbone sees them in training (<see cref="LabelRepModel.ChannelsLast"/>), or contiguous NCHW.</summary>
    private static Tensor Prepare(Tensor t, Device device, bool channelsLast) => channelsLast ? LabelRepModel.ToChannelsLast(t.to(device)) : t.to(device).contiguous();

    private static Module<Tensor, Tensor> Build(Layer layer) => layer.Kind switch
    {
        "conv" => Conv2d(layer.Input[0], layer.Out, layer.Kernel, stride: layer.Stride, padding: layer.Padding, bias: false),
        "bn" => BatchNorm2d(layer.Input[0]),
        "relu" => ReLU(),
        "maxpool" => MaxPool2d(layer.Kernel),
        "avgpool" => AdaptiveAvgPool2d(layer.Out),
        "linear" => Linear(layer.Input[0], layer.Out),
        "add" => Identity(),
        _ => throw new ArgumentException($"unknown layer kind '{layer.Kind}'", nameof(layer)),
    };
}
