using LabelRep.Evaluation;
using LabelRep.Evaluation.Attacks;
using LabelRep.Labels;
using LabelRep.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LabelRep.Tests.Evaluation;

/// <summary>A linear classifier on 8×8 grey images, scores = W·x + b: the smallest L∞ perturbation that changes its decision is known in closed form.</summary>
internal sealed class LinearImageModel : IImageModel, IDisposable
{
    private readonly Tensor _weight, _bias;

    /// <summary>The weights W (classes × 64).</summary>
    public Tensor Weight => _weight;

    public LinearImageModel(int classes, int seed)
    {
        var generator = new Generator((ulong)seed);
        _weight = torch.randn(new long[] { classes, 64 }, generator: generator);
        _bias = torch.randn(new long[] { classes }, generator: generator) * 0.1;
        Normalization = new Normalize(new[] { 0f }, new[] { 1f });
    }

    public Normalize Normalization { get; }
    public Tensor Forward(Tensor images) => torch.nn.functional.linear(images.flatten(1), _weight, _bias);
    public Tensor ForwardNormalized(Tensor normalized) => Forward(normalized);
    public Tensor Features(Tensor images) => images.flatten(1);

    /// <summary>
    /// Per image, min over the other classes k of (f_y − f_k) / ‖w_k − w_y‖₁: the L∞ distance to the nearest half-space
    /// where class k wins (exact while the step stays inside [0, 1], which the test's images leave room for).
    /// </summary>
    public Tensor ClosedForm(Tensor images, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        Tensor scores = Forward(images);
        Tensor own = scores.gather(1, labels.view(-1, 1));
        Tensor wy = _weight.index_select(0, labels);
        Tensor gaps = (own - scores) / (_weight.unsqueeze(0) - wy.unsqueeze(1)).abs().sum(2).clamp_min(1e-12);
        gaps = torch.where(torch.arange(scores.shape[1]).unsqueeze(0).eq(labels.view(-1, 1)), torch.tensor(double.PositiveInfinity, dtype: gaps.dtype), gaps);
        return scope.MoveToOuter(gaps.amin(new long[] { 1 }));
    }

    /// <summary>A categorical classifier (decision rule and objective) for attacks that run through a <see cref="LinearImageModel"/> (its own smallcnn is never used).</summary>
    public static Classifier Categorical(int classes) =>
        new(new LabelRepModel(new Normalize(new[] { 0f }, new[] { 1f }), ModelRegistry.Create("smallcnn", 1), HeadShape.Vector(classes)),
            new CrossEntropyObjective(new LabelBank("onehot", torch.eye(classes)), 0), "linear");

    public void Dispose()
    {
        _weight.Dispose();
        _bias.Dispose();
        Normalization.Dispose();
    }
}

public class FabTests
{
    private static Classifier Categorical(int classes) => LinearImageModel.Categorical(classes);

    [Fact]
    public void Fab_t_finds_the_minimal_perturbation_of_a_linear_model_and_it_is_smaller_than_pgds()
    {
        const int classes = 10;
        using var model = new LinearImageModel(classes, seed: 11);
        using Classifier classifier = Categorical(classes);
        var space = new AttackSpace(classifier, normalized: false, model);
        using var scope = torch.NewDisposeScope();
        // Images near the middle of the range, labelled with the model's own decision, so every image is attacked and
        // the closed-form step (a few hundredths here) stays far from the range's edges.
        Tensor images = 0.5 + 0.1 * torch.rand(new long[] { 32, 1, 8, 8 }, generator: new Generator(3)) - 0.05;
        Tensor labels = model.Forward(images).argmax(1);
        var batch = new AttackBatch(images, labels, null, torch.tensor(0f), torch.tensor(1f));
        IAttack fab = AttackRegistry.Get("fab-t");
        var settings = new AttackSettings { Eps = 8 / 255.0, Options = fab.Options.ToDictionary(o => o.Name, o => o.Standard) };

        var (points, norms) = new FabTargeted().Minimal(new AttackContext(space, null, new Generator(1)), batch, settings);

        Tensor exact = model.ClosedForm(images, labels);
        Assert.True(exact.max().item<float>() < 0.3, "the test's closed-form distances must stay inside the range");
        Assert.True(space.Predict(points).ne(labels).all().item<bool>(), "FAB-T did not fool every image of a linear model");
        Assert.True((points - images).abs().flatten(1).amax(new long[] { 1 }).sub(norms).abs().max().item<float>() < 1e-6, "the kept norms are not the points' distances");
        // Never below the true minimum (float rounding aside), and within 1% above it: the first projection is exact, the
        // overshoot (5%) is undone by the steps back towards the clean image.
        Tensor ratio = norms / exact;
        Assert.True(ratio.min().item<float>() > 1 - 1e-4, $"FAB-T's perturbation is {ratio.min().item<float>():F5} of the exact minimum");
        Assert.True(ratio.max().item<float>() < 1.01, $"FAB-T's perturbation is {ratio.max().item<float>():F4}× the exact minimum");

        // PGD at twice the largest minimal distance fools every image too, but its perturbation fills the ball.
        double pgdEps = 2 * exact.max().item<float>();
        IAttack pgd = AttackRegistry.Get("pgd");
        var pgdSettings = new AttackSettings { Eps = pgdEps, Loss = AttackLoss.Margin, Options = pgd.Options.ToDictionary(o => o.Name, o => o.Standard) };
        Tensor pgdPoints = pgd.Perturb(new AttackContext(space, null, new Generator(1)), batch, pgdSettings);
        Tensor fooledByPgd = space.Predict(pgdPoints).ne(labels);
        Tensor pgdNorms = (pgdPoints - images).abs().flatten(1).amax(new long[] { 1 });
        Assert.True(fooledByPgd.any().item<bool>());
        Assert.True(norms.masked_select(fooledByPgd).lt(pgdNorms.masked_select(fooledByPgd)).all().item<bool>(), "FAB-T's perturbation is not smaller than PGD's");
    }

    [Fact]
    public void The_projection_reaches_the_hyperplane_with_the_smallest_step_and_respects_the_range()
    {
        using var scope = torch.NewDisposeScope();
        // w·δ = 1 with |δ| ≤ 1: unbounded, every coordinate moves by 1/‖w‖₁ = 1/6.
        Tensor w = torch.tensor(new[] { 1f, -2f, 3f }).view(1, 3);
        Tensor free = Norm.Linf.ToHyperplane(w, torch.tensor(new[] { 1f }), torch.full(1, 3, -1f), torch.full(1, 3, 1f));
        Assert.True((free - torch.tensor(new[] { 1f, -1f, 1f }).view(1, 3) / 6).abs().max().item<float>() < 1e-6);
        // The third coordinate may move by 0.05 at most: the others take up the rest, (1 − 0.15) / 3 each.
        Tensor bounded = Norm.Linf.ToHyperplane(w, torch.tensor(new[] { 1f }), torch.full(1, 3, -1f), torch.tensor(new[] { 1f, 1f, 0.05f }).view(1, 3));
        Assert.True((bounded - torch.tensor(new[] { 0.85f / 3, -0.85f / 3, 0.05f }).view(1, 3)).abs().max().item<float>() < 1e-6);
        Assert.True(((w * bounded).sum() - 1).abs().item<float>() < 1e-5);
    }

    [Fact]
    public void Fab_t_in_a_suite_records_its_budget()
    {
        var suite = AttackSuite.Parse("autoattack");
        Assert.Equal(new[] { "apgd-ce", "apgd-t", "fab-t", "square" }, suite.Attacks.Select(m => m.Name));
        IAttack fab = AttackRegistry.Get("fab-t");
        var options = new AttackRequest().OptionsFor(fab, suite.Attacks.Single(m => m.Name == "fab-t"));
        Assert.Equal(100, options["steps"]);
        Assert.Equal(9, options["targets"]);
    }

    [Fact]
    public void A_suite_member_that_cannot_run_on_the_classifier_is_refused_with_its_reason_before_anything_runs()
    {
        using Classifier three = Categorical(3);
        var runner = new AttackRunner(three, null, new AttackRequest { Attacks = new[] { "fgsm" }, Suite = AttackSuite.AutoAttack });
        var error = Assert.Throws<LabelRepException>(() => runner.Run(null!, Array.Empty<int>(), "three-classes"));
        Assert.Equal("--suite autoattack: apgd-t needs at least 4 classes (the targeted DLR loss uses the 3rd and 4th largest scores), this classifier has 3; use apgd",
            error.Message);
    }
}
