using LabelRep.Evaluation.Attacks;
using LabelRep.Labels;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// The binarization test (Zimmermann, Brendel, Tramèr and Carlini, "Increasing confidence in adversarial robustness
/// evaluations", NeurIPS 2022), on the label head's raw output. Per image it builds a binary task that is breakable by
/// construction: a boundary point at the ε-ball's edge (a random corner of the L∞ ball, clipped to the image range) and
/// inner points at half that distance; a linear readout on the head's output, g(x) = w·o(x) + b, is fitted so the
/// boundary point alone is on the positive side (g = 1) and every inner point, the clean image included, on the other
/// (g ≤ −1). A point with g &gt; 0 inside the ball therefore exists. An attack that cannot find one on most images cannot
/// be trusted on that model: its gradients do not lead where the model's output goes (masking), or it is broken. An
/// image whose boundary point the readout cannot separate is left out, and counted.
/// </summary>
public static class BinarizationTest
{
    /// <summary>The share of separable images the attack must break for the test to pass.</summary>
    public const double PassShare = 0.9;

    /// <summary>Inner points per image (Zimmermann et al. use a few hundred on CIFAR; these few keep the test cheap and still constrain the readout).</summary>
    public const int InnerPoints = 31;

    /// <param name="Images">Images tried.</param>
    /// <param name="Separable">Images whose readout puts the boundary point alone on the positive side.</param>
    /// <param name="Broken">Separable images on which the attack found a point with g &gt; 0 within ε.</param>
    public sealed record Result(string Attack, double Eps, int Images, int Separable, int Broken)
    {
        public double Share => Broken / (double)Math.Max(1, Separable);

        public bool Passed => Separable > 0 && Share >= PassShare;

        public override string ToString() =>
            $"binarization test of {Attack} at ε={Eps:G4}: broke {Broken} of {Separable} binarized models that are breakable by construction ({Share:P0}; " +
            $"passing needs {PassShare:P0}){(Separable < Images ? $", {Images - Separable} of {Images} images not separable" : "")}";
    }

    /// <summary>
    /// Runs the test on each image of <paramref name="batch"/> (in [0, 1], pixel space) with the registered attack
    /// <paramref name="attackName"/> (default APGD with cross-entropy over the binary scores (0, g)).
    /// </summary>
    public static Result Run(AttackSpace space, AttackBatch batch, double eps, Generator random, string attackName = "apgd", int steps = 100)
    {
        if (space.Normalized) throw new LabelRepException("the binarization test runs in pixel space (the standard protocol)");
        IAttack attack = AttackRegistry.Get(attackName);
        using var binary = new CrossEntropyObjective(new LabelBank("binary", torch.eye(2)), 0);
        var classifier = new Classifier(space.Classifier.Model, binary, "binarized");
        int separable = 0, broken = 0;
        for (long i = 0; i < batch.Count; i++)
        {
            using var scope = torch.NewDisposeScope();
            Tensor x = batch.Clean.narrow(0, i, 1);
            AttackBatch one = new(x, torch.zeros(1, dtype: ScalarType.Int64), null, Bound(batch.Lower, i), Bound(batch.Upper, i));
            if (Readout(space.Model, one, eps, random) is not { } readout) continue;
            separable++;
            var model = new BinarizedModel(space.Model, readout.W, readout.B);
            var binarySpace = new AttackSpace(classifier, normalized: false, model);
            var settings = new AttackSettings
            {
                Eps = eps, Loss = AttackLoss.CrossEntropy,
                Options = attack.Options.ToDictionary(o => o.Name, o => o.Name == "steps" ? steps : o.Standard),
            };
            Tensor adversarial = attack.Perturb(new AttackContext(binarySpace, null, random), one, settings);
            if ((adversarial - x).abs().max().item<float>() <= eps + 1e-6 && binarySpace.Predict(adversarial).item<long>() == 1) broken++;
        }
        return new Result(attackName, eps, (int)batch.Count, separable, broken);
    }

    private static Tensor Bound(Tensor bound, long i) => bound.shape.Length == 0 || bound.shape[0] == 1 ? bound : bound.narrow(0, i, 1);

    /// <summary>The readout (w, b) with g(boundary) = 1 and g(inner) ≤ −1, or null when the boundary point cannot be separated this way.</summary>
    private static (Tensor W, Tensor B)? Readout(IImageModel model, AttackBatch one, double eps, Generator random)
    {
        using var _ = torch.no_grad();
        Tensor x = one.Clean;
        Tensor corner = torch.rand(x.shape, dtype: x.dtype, generator: random).to(x.device).lt(0.5).to_type(x.dtype) * 2 - 1;
        Tensor boundary = one.Clamp(x + eps * corner);
        Tensor spread = torch.rand(new[] { InnerPoints, x.shape[1], x.shape[2], x.shape[3] }, dtype: x.dtype, generator: random).to(x.device) * 2 - 1;
        Tensor inner = torch.cat(new[] { x, one.Clamp(x + eps / 2 * spread) });
        Tensor outBoundary = model.Forward(boundary).flatten(1), outInner = model.Forward(inner).flatten(1);
        // Two directions from the inner points to the boundary point's output (from their mean, from the clean image's);
        // the one whose margin, per unit of its length, is larger.
        Tensor? w = null;
        double atBoundary = 0, innerMax = 0, best = 0;
        foreach (Tensor candidate in new[] { outBoundary - outInner.mean(new long[] { 0 }, keepdim: true), outBoundary - outInner.narrow(0, 0, 1) })
        {
            double at = (outBoundary * candidate).sum().item<float>(), max = (outInner * candidate).sum(1).max().item<float>();
            double margin = (at - max) / Math.Max(1e-30, candidate.norm().item<float>());
            if (double.IsFinite(margin) && margin > best)
                (w, atBoundary, innerMax, best) = (candidate, at, max, margin);
        }
        if (w is null) return null;
        // Scale and shift so that g(boundary) = 1 and the nearest inner point sits at −1.
        double half = (atBoundary - innerMax) / 2;
        return (w / half, torch.tensor(-(atBoundary + innerMax) / 2 / half, dtype: w.dtype, device: w.device));
    }

    /// <summary>The model with its head's output read out to the binary scores (0, g(x)).</summary>
    private sealed class BinarizedModel : IImageModel
    {
        private readonly IImageModel _inner;
        private readonly Tensor _w, _b;

        public BinarizedModel(IImageModel inner, Tensor w, Tensor b)
        {
            _inner = inner;
            _w = w;
            _b = b;
        }

        public Normalize Normalization => _inner.Normalization;
        public Tensor Forward(Tensor images) => Read(_inner.Forward(images));
        public Tensor ForwardNormalized(Tensor normalized) => Read(_inner.ForwardNormalized(normalized));
        public Tensor Features(Tensor images) => _inner.Features(images);

        private Tensor Read(Tensor output)
        {
            Tensor g = (output.flatten(1) * _w).sum(1, keepdim: true) + _b;
            return torch.cat(new[] { torch.zeros_like(g), g }, 1);
        }
    }
}
