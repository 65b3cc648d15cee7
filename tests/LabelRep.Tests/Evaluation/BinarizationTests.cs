using LabelRep.Evaluation;
using LabelRep.Models;
using LabelRep.Runs;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Evaluation;

/// <summary>A model whose input is rounded to sixteenths first: the same decisions, but an exactly zero input gradient (a masked model).</summary>
internal sealed class QuantizedInputModel : IImageModel
{
    private readonly IImageModel _inner;

    public QuantizedInputModel(IImageModel inner) => _inner = inner;

    public Normalize Normalization => _inner.Normalization;
    public Tensor Forward(Tensor images) => _inner.Forward((images * 16).round() / 16);
    public Tensor ForwardNormalized(Tensor normalized) => throw new NotSupportedException();
    public Tensor Features(Tensor images) => _inner.Features(images);
}

public class BinarizationTests : IClassFixture<FashionFixture>
{
    private readonly FashionFixture _runs;

    public BinarizationTests(FashionFixture runs) => _runs = runs;

    private BinarizationTest.Result Run(string label, bool masked)
    {
        using RunSetup setup = RunSetup.WithBestWeights(_runs.Get(label), "cpu");
        setup.Classifier.Freeze();
        var space = new AttackSpace(setup.Classifier, normalized: false, masked ? new QuantizedInputModel(setup.Classifier.Evaluated) : null);
        using var scope = torch.NewDisposeScope();
        var (x, y) = setup.Data.Test.Batch(torch.arange(12, dtype: ScalarType.Int64));
        var batch = new AttackBatch(x, y, null, torch.tensor(0f), torch.tensor(1f));
        return BinarizationTest.Run(space, batch, 8 / 255.0, new Generator(1), steps: 50);
    }

    [Theory]
    [InlineData("categorical")]
    [InlineData("random")]
    public void Apgd_breaks_the_binarized_heads_of_the_trained_models(string label)
    {
        BinarizationTest.Result result = Run(label, masked: false);

        Assert.True(result.Separable >= 10, result.ToString());
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData("categorical")]
    [InlineData("random")]
    public void The_test_fails_loudly_on_a_head_whose_input_gradient_is_zero(string label)
    {
        BinarizationTest.Result result = Run(label, masked: true);

        Assert.True(result.Separable >= 10, result.ToString());
        Assert.False(result.Passed, result.ToString());
        Assert.Contains("binarized models that are breakable by construction", result.ToString());
    }
}
