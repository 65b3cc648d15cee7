using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Labels;
using LabelRep.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Evaluation;

public class LabelAttackTests
{
    /// <summary>A nearest-label classifier over the given bank (its network is never run: the tests give outputs directly).</summary>
    private static Classifier Regression(Tensor labels) =>
        new(new LabelRepModel(new Normalize(new[] { 0f }, new[] { 1f }), ModelRegistry.Create("smallcnn", 1), HeadShape.Vector((int)labels.shape[1])),
            new RegressionObjective(new LabelBank("bank", labels)), "regression");

    [Fact]
    public void The_label_margin_is_positive_exactly_when_the_output_is_nearer_another_label_and_does_not_change_with_the_labels_scale()
    {
        using var scope = torch.NewDisposeScope();
        Tensor labels = torch.randn(new long[] { 5, 16 }, generator: new Generator(2));
        Tensor outputs = torch.randn(new long[] { 40, 16 }, generator: new Generator(3)) * 1.5;
        Tensor truth = torch.randint(0, 5, new long[] { 40 }, generator: new Generator(4));
        using Classifier unit = Regression(labels), scaled = Regression(labels * 1000);
        var space = new AttackSpace(unit, normalized: false);
        var scaledSpace = new AttackSpace(scaled, normalized: false);

        Tensor margin = AttackLoss.Label.Compute(space, new ScoredOutput(outputs, unit.Decision), truth, null);
        Tensor scaledMargin = AttackLoss.Label.Compute(scaledSpace, new ScoredOutput(outputs * 1000, scaled.Decision), truth, null);

        Tensor wrong = unit.Decision.Predict(outputs).ne(truth);
        Assert.True(wrong.any().item<bool>() && wrong.logical_not().any().item<bool>(), "the fixture needs both kinds of image");
        Assert.True(margin.gt(0).eq(wrong).all().item<bool>(), "the margin's sign is not the decision");
        Assert.True((margin - scaledMargin).abs().max().item<float>() < 1e-3, "the margin changes with the labels' scale");
        // On the bisector of the true label and its nearest rival the margin is 0, on the rival's label it is 1.
        Tensor onRival = labels.index_select(0, torch.tensor(new long[] { 1 }));
        Assert.Equal(1.0, AttackLoss.Label.Compute(space, new ScoredOutput(onRival, unit.Decision), torch.tensor(new long[] { 0 }), null).item<float>(), 3);
    }

    [Fact]
    public void The_targeted_pull_rises_as_the_output_nears_the_targets_label_and_is_scaled_by_the_gap()
    {
        using var scope = torch.NewDisposeScope();
        Tensor labels = torch.randn(new long[] { 4, 8 }, generator: new Generator(5));
        using Classifier classifier = Regression(labels);
        var space = new AttackSpace(classifier, normalized: false);
        Tensor own = labels.narrow(0, 0, 1), target = labels.narrow(0, 2, 1);
        double Pull(Tensor output) => AttackLoss.Label.Compute(space, new ScoredOutput(output, classifier.Decision), torch.tensor(new long[] { 0 }), torch.tensor(new long[] { 2 })).item<float>();

        // At the true label the pull is −1 (one gap away); at the target's label it is 0; halfway it is −1/4.
        Assert.Equal(-1.0, Pull(own), 4);
        Assert.Equal(0.0, Pull(target), 4);
        Assert.Equal(-0.25, Pull((own + target) / 2), 4);
    }

    [Fact]
    public void The_adaptive_suite_runs_autoattacks_white_box_members_then_the_label_attacks_then_square()
    {
        Assert.Equal(new[] { "apgd-ce", "apgd-t", "fab-t", "apgd-label", "apgd-label-t", "square" }, AttackSuite.Parse("adaptive").Attacks.Select(m => m.Name));
        Assert.Null(AttackRegistry.Get("apgd-label-t").CannotRun(2));
    }
}
