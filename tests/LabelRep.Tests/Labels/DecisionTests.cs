using LabelRep.Labels;
using LabelRep.Models;
using LabelRep.Runs;
using LabelRep.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Labels;

public class DecisionTests
{
    [Fact]
    public void The_nearest_label_by_mse_wins_and_ties_go_to_the_lowest_index()
    {
        // Given: three 1×2 labels
        using var bank = new LabelBank("test", torch.tensor(new float[] { 0, 0, 10, 10, 0, 0 }, new long[] { 3, 2 }));
        var decision = new NearestLabelDecision(bank);
        using var outputs = torch.tensor(new float[] { 9, 9, 1, 0, 5, 5 }, new long[] { 3, 2 });

        // When
        using var scores = decision.Scores(outputs);
        long[] predicted = decision.Predict(outputs).data<long>().ToArray();

        // Then: scores are −MSE; (5, 5) is equally far from class 0 and 1 (tie → 0) and class 2 repeats class 0
        Assert.Equal(new long[] { 1, 0, 0 }, predicted);
        Assert.Equal(-1f, scores[0, 1].item<float>(), 5);
        Assert.Equal(-0.5f, scores[1, 0].item<float>(), 5);
    }

    /// <summary>
    /// With a gradient wanted (attacks), the scores come from one autograd node with a matrix-product backward: the same
    /// scores bit for bit (float32), and in float64 the input gradient of a loss on them equals autograd's through the
    /// class-at-a-time loop to rounding, for 2-D and 3-D label shapes and any weighting of the classes.
    /// </summary>
    [Theory]
    [InlineData(new long[] { 10, 64, 64 })]
    [InlineData(new long[] { 7, 5 })]
    public void Nearest_label_scores_have_the_loops_values_and_gradient(long[] shape)
    {
        torch.manual_seed(11);
        using var scope = torch.NewDisposeScope();
        using var bank = new LabelBank("test", torch.randn(shape).mul_(20));
        var decision = new NearestLabelDecision(bank);
        long[] outputShape = new long[] { 6 }.Concat(shape.Skip(1)).ToArray();
        Tensor labels = bank.Targets.reshape(shape[0], -1);

        Tensor output32 = (torch.randn(outputShape) * 20).requires_grad_(true);
        Tensor fast32 = decision.Scores(output32);
        Tensor loop32;
        using (torch.no_grad()) loop32 = decision.Scores(output32);
        Assert.True(fast32.requires_grad);
        Assert.True(fast32.detach().eq(loop32).all().item<bool>(), "the scores differ from the class-at-a-time loop's");

        Tensor output = (torch.randn(outputShape, torch.float64) * 20).requires_grad_(true);
        Tensor weights = torch.randn(6, shape[0], torch.float64);
        Tensor labels64 = labels.to(torch.float64);
        Tensor fast = NearestLabelScores.Apply(output.reshape(6, -1), labels64);
        Tensor loop = NearestLabelScores.Direct(output.reshape(6, -1), labels64);
        Assert.True(fast.detach().eq(loop.detach()).all().item<bool>());
        Tensor gradient = torch.autograd.grad(new[] { (fast * weights).sum() }, new[] { output })[0];
        Tensor expected = torch.autograd.grad(new[] { (loop * weights).sum() }, new[] { output })[0];
        Assert.Equal(outputShape, gradient.shape);
        double error = (gradient - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        Assert.True(error < 1e-12, $"gradient differs from autograd's by {error:E2} (relative)");

        // A float64 output against the float32 bank (the forward promotes): the gradient in float64 too.
        Tensor mixed = torch.autograd.grad(new[] { (decision.Scores(output) * weights).sum() }, new[] { output })[0];
        Tensor mixedExpected = torch.autograd.grad(new[] { (NearestLabelScores.Direct(output.reshape(6, -1), labels) * weights).sum() }, new[] { output })[0];
        Assert.Equal(torch.float64, mixed.dtype);
        Assert.True((mixed - mixedExpected).abs().max().item<double>() / mixedExpected.abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Every_kind_names_its_decision_once_and_categorical_is_argmax_over_a_one_hot_bank()
    {
        var dataset = LabelRep.Data.IdxReader.FashionMnistInfo;
        using var categorical = LabelKinds.Get("categorical").CreateObjective(new LabelOptions().BankFor("categorical", dataset), 0, LabelKinds.Parameters("categorical"));
        using var random = LabelKinds.Get("random").CreateObjective(new LabelOptions().BankFor("random", dataset), 0, LabelKinds.Parameters("random"));

        Assert.Equal(ArgmaxDecision.DecisionName, categorical.Decision.Name);
        Assert.Equal(new[] { 10 }, categorical.OutputShape);
        Assert.Equal(NearestLabelDecision.DecisionName, random.Decision.Name);
        Assert.Equal(new[] { 64, 64 }, random.OutputShape);
        Assert.Equal(LabelRole.Baseline, LabelKinds.Get(LabelKinds.Baseline).Role);
    }

    [Theory]
    [InlineData("vgg19", 20_178_281)]
    [InlineData("resnet32", 579_577)]
    [InlineData("resnet110", 1_843_385)]
    public void Backbones_with_the_label_decoder_have_the_official_parameter_counts(string name, long expected)
    {
        using var model = new LabelRepModel(new Normalize(new[] { 0f, 0f, 0f }, new[] { 1f, 1f, 1f }), ModelRegistry.Create(name, 3), new HeadShape(new[] { 64, 64 }));
        Assert.Equal(expected, model.ParameterCount());
    }

    [Fact]
    public void The_decoder_outputs_a_64_by_64_label_and_lowdim_a_vector()
    {
        using var image = new LabelRepModel(new Normalize(new[] { 0f }, new[] { 1f }), ModelRegistry.Create("smallcnn", 1), new HeadShape(new[] { 64, 64 }));
        using var vector = new LabelRepModel(new Normalize(new[] { 0f }, new[] { 1f }), ModelRegistry.Create("smallcnn", 1), HeadShape.Vector(10));
        using var x = torch.rand(4, 1, 28, 28);
        Assert.Equal(new long[] { 4, 64, 64 }, image.call(x).shape);
        Assert.Equal(new long[] { 4, 10 }, vector.call(x).shape);
    }
}
