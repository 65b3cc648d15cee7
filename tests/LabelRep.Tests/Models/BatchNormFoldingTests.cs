using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Models;
using LabelRep.Runs;
using LabelRep.Tests.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Models;

public class BatchNormFoldingTests : IClassFixture<FashionFixture>
{
    private readonly FashionFixture _runs;

    public BatchNormFoldingTests(FashionFixture runs) => _runs = runs;

    /// <summary>A model whose batch norms have statistics and affine terms far from their initial identity, so folding has something to fold.</summary>
    private static LabelRepModel Model(string backbone, bool decoder, int channels, bool channelsLast)
    {
        torch.manual_seed(11);
        var model = new LabelRepModel(new Normalize(Enumerable.Repeat(0.3f, channels).ToArray(), Enumerable.Repeat(0.2f, channels).ToArray()),
            ModelRegistry.Create(backbone, channels), decoder ? new HeadShape(new[] { 64, 64 }) : HeadShape.Vector(10))
        { ChannelsLast = channelsLast };
        using (torch.no_grad())
        {
            foreach (var module in model.modules().OfType<TorchSharp.Modules.BatchNorm>())
            {
                module.running_mean!.normal_(0, 0.5);
                module.running_var!.uniform_(0.3, 2.5);
                module.weight!.uniform_(0.5, 1.5);
                module.bias!.normal_(0, 0.3);
            }
        }
        model.to(ScalarType.Float64);
        model.eval();
        return model;
    }

    [Theory]
    [InlineData("smallcnn", false, 1, true)]
    [InlineData("smallcnn", true, 1, true)]
    [InlineData("smallcnn", false, 3, false)]
    [InlineData("resnet20", false, 3, true)]
    [InlineData("resnet20", true, 1, false)]
    [InlineData("vgg19", false, 3, true)]
    [InlineData("vgg19", true, 1, true)]
    public void The_folded_model_gives_the_same_output_features_and_input_gradient_in_float64(string backbone, bool decoder, int channels, bool channelsLast)
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model(backbone, decoder, channels, channelsLast);
        int size = channels == 1 ? 28 : 32;
        using var folded = model.FoldForEvaluation();
        Tensor x = torch.rand(new long[] { 3, channels, size, size }, dtype: ScalarType.Float64);

        Tensor reference = model.call(x);
        Tensor output = folded.Forward(x);
        Assert.Equal(reference.shape, output.shape);
        double scale = Math.Max(1, reference.abs().max().item<double>());
        Assert.True((reference - output).abs().max().item<double>() <= 1e-9 * scale, $"output differs: {(reference - output).abs().max().item<double>()}");
        Assert.True((model.Features(x) - folded.Features(x)).abs().max().item<double>() <= 1e-9 * scale, "features differ");
        using (torch.no_grad())
            Assert.True((model.ForwardNormalized(x) - folded.ForwardNormalized(x)).abs().max().item<double>() <= 1e-9 * scale, "normalized-space output differs");

        // Input gradients agree, and the folded pass leaves no gradient on any weight: it has no autograd state for them.
        Tensor Gradient(Func<Tensor, Tensor> forward)
        {
            Tensor input = x.detach().clone().requires_grad_(true);
            forward(input).pow(2).sum().backward();
            return input.grad!.detach().clone();
        }
        Tensor foldedGradient = Gradient(folded.Forward);
        Assert.All(model.parameters(), p => Assert.True(p.grad is null || p.grad.abs().max().item<double>() == 0, "a weight got a gradient through the folded model"));
        Tensor referenceGradient = Gradient(model.call);
        double gradientScale = Math.Max(1e-12, referenceGradient.abs().max().item<double>());
        Assert.True((referenceGradient - foldedGradient).abs().max().item<double>() <= 1e-8 * gradientScale, "input gradient differs");
    }

    [Fact]
    public void A_fold_reads_the_weights_of_its_moment_and_disposing_it_leaves_the_model_whole()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model("resnet20", false, 1, true);
        Tensor x = torch.rand(new long[] { 2, 1, 28, 28 }, dtype: ScalarType.Float64);
        Tensor before;
        using (var folded = model.FoldForEvaluation()) before = folded.Forward(x).detach().clone();
        using (torch.no_grad())
            foreach (var bn in model.modules().OfType<TorchSharp.Modules.BatchNorm>()) bn.running_mean!.add_(0.25);
        using var refolded = model.FoldForEvaluation();
        Tensor after = refolded.Forward(x);
        Assert.True((after - before).abs().max().item<double>() > 1e-3, "the fold did not follow the new statistics");
        Assert.True((after - model.call(x)).abs().max().item<double>() <= 1e-9 * Math.Max(1, after.abs().max().item<double>()));
    }

    /// <summary>
    /// The input gradient of a one-channel stride-1 convolution (matrix product and shifted sums, not libtorch's
    /// transposed convolution) equals libtorch's in float64 for several kernels and paddings, input layouts and
    /// output-gradient layouts; the output is libtorch's own, bit for bit. Under no_grad the layer is libtorch's conv.
    /// </summary>
    [Theory]
    [InlineData(3, 1, true)]
    [InlineData(3, 0, false)]
    [InlineData(5, 2, true)]
    [InlineData(1, 0, false)]
    [InlineData(4, 1, true)]
    public void A_one_channel_convolution_has_libtorchs_input_gradient(int kernel, int padding, bool channelsLast)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        Tensor weight = torch.randn(new long[] { 8, 1, kernel, kernel }, dtype: ScalarType.Float64);
        Tensor bias = torch.randn(8, dtype: ScalarType.Float64);
        using var layer = new FoldedConv2d(weight.clone(), bias.clone(), new long[] { 1, 1 }, new long[] { padding, padding }, new long[] { 1, 1 }, 1);
        Tensor x = torch.rand(new long[] { 3, 1, 11, 13 }, dtype: ScalarType.Float64);
        if (channelsLast) x = LabelRepModel.ToChannelsLast(x);
        foreach (bool gradientChannelsLast in new[] { false, true })
        {
            Tensor Gradient(Func<Tensor, Tensor> forward, out Tensor output)
            {
                Tensor input = x.detach().clone().requires_grad_(true);
                output = forward(input);
                Tensor upstream = torch.randn(output.shape, dtype: ScalarType.Float64, generator: new Generator(9));
                if (gradientChannelsLast) upstream = LabelRepModel.ToChannelsLast(upstream);
                return torch.autograd.grad(new[] { output }, new[] { input }, new[] { upstream })[0];
            }
            Tensor ours = Gradient(layer.Forward, out Tensor ourOutput);
            Tensor reference = Gradient(input => torch.nn.functional.conv2d(input, weight, bias, padding: new long[] { padding, padding }), out Tensor referenceOutput);
            Assert.Equal(reference.shape, ours.shape);
            Assert.True((ourOutput - referenceOutput).abs().max().item<double>() == 0, "the forward pass should be libtorch's conv2d");
            Assert.True((ours - reference).abs().max().item<double>() <= 1e-12 * reference.abs().max().item<double>(),
                $"input gradient differs by {(ours - reference).abs().max().item<double>()}");
        }
        using (torch.no_grad()) Assert.True((layer.Forward(x) - torch.nn.functional.conv2d(x, weight, bias, padding: new long[] { padding, padding })).abs().max().item<double>() == 0);
    }

    /// <summary>
    /// On a trained float32 model the folded weights differ from the unfolded pair by float rounding only, so attacks
    /// find the same images: PGD on the folded and the unfolded model, with the same random start, fools the same
    /// images but for at most one (a sign of a near-zero gradient may flip) of 64.
    /// </summary>
    [Theory]
    [InlineData("categorical")]
    [InlineData("random")]
    public void Attacks_through_the_folded_model_fool_the_same_images(string label)
    {
        using RunSetup setup = RunSetup.WithBestWeights(_runs.Get(label), "cpu");
        setup.Classifier.Freeze();
        using var scope = torch.NewDisposeScope();
        var (x, y) = setup.Data.Test.Batch(torch.arange(64, dtype: ScalarType.Int64));
        var settings = new AttackSettings { Eps = 8 / 255.0, Loss = AttackLoss.Margin, Options = new Dictionary<string, double>() };

        bool[] Fooled(AttackSpace space)
        {
            var batch = new AttackBatch(x, y, null, torch.tensor(0f), torch.tensor(1f));
            using var random = new Generator(5);
            Tensor adversarial = Pgd.Run(space, batch, settings with { Step = 2.5 * settings.Eps / 20 }, 20, 1, random);
            return space.Predict(adversarial).ne(y).data<bool>().ToArray();
        }
        bool[] folded = Fooled(new AttackSpace(setup.Classifier, normalized: false));
        bool[] unfolded = Fooled(new AttackSpace(setup.Classifier, normalized: false, setup.Classifier.Model));
        Assert.True(folded.Count(f => f) >= 5, "the attack should fool some images for the comparison to mean anything");
        Assert.True(folded.Zip(unfolded).Count(p => p.First != p.Second) <= 1,
            $"folded fooled {folded.Count(f => f)}, unfolded {unfolded.Count(f => f)}, differing on {folded.Zip(unfolded).Count(p => p.First != p.Second)}");
    }

    /// <summary>
    /// An attack's backward pass stays channels-last through smallcnn and the label decoder: the gradient that reaches
    /// each layer's output has its layout (where the layout is ambiguous, one channel or one pixel, it is not checked).
    /// Two layers once broke this (the flatten behind the 3×3 pooling, the decoder's one-channel last layer), and
    /// libtorch then ran every layer below them NCHW.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_folded_models_backward_pass_stays_channels_last(bool decoder)
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model("smallcnn", decoder, 1, channelsLast: true);
        model.to(ScalarType.Float32);
        using var folded = model.FoldForEvaluation();
        Tensor h = folded.Layout(torch.rand(3, 1, 28, 28).requires_grad_(true));
        var checkedLayers = new List<string>();
        foreach (var (layer, i) in folded.Layers.Select((l, i) => (l, i)))
        {
            h = layer.Forward(h);
            if (h.dim() == 4 && h.shape[1] > 1 && h.shape[2] * h.shape[3] > 1)
            {
                checkedLayers.Add($"{i} {layer.Name}");
                h = LayoutProbe.Apply(h, $"{i} {layer.Name}");
            }
        }
        LayoutProbe.Seen.Clear();
        h.reshape(3, -1).pow(2).sum().backward();
        Assert.True(checkedLayers.Count >= (decoder ? 9 : 5), string.Join(", ", checkedLayers));
        foreach (string layer in checkedLayers)
            Assert.True(LayoutProbe.Seen.TryGetValue(layer, out bool channelsLast) && channelsLast, $"the gradient of {layer}'s output is not channels-last");
    }

    /// <summary>The identity, whose backward pass records whether the gradient arriving is channels-last.</summary>
    private sealed class LayoutProbe : autograd.SingleTensorFunction<LayoutProbe>
    {
        public static readonly Dictionary<string, bool> Seen = new();

        public override string Name => nameof(LayoutProbe);

        public static Tensor Apply(Tensor input, string key) => apply(input, key);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("key", vars[1]);
            return ((Tensor)vars[0]).clone(); // a copy: an in-place ReLU follows, which a custom function's view would forbid
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad)
        {
            Seen[(string)ctx.get_data("key")] = grad.stride(1) == 1;
            return new List<Tensor> { grad, null! };
        }
    }
}
