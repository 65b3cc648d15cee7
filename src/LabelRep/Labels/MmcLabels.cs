using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Labels;

/// <summary>
/// Max-Mahalanobis centres (Pang et al., ICLR 2020, arXiv 1905.10626): C points on a sphere of the given radius whose
/// pairwise inner products are all −radius²/(C−1), a regular simplex, the largest minimum distance C points on a
/// sphere can have. Built by the MM-LDA recursion (Pang et al., ICML 2018) in `dim` dimensions (default C; the
/// simplex spans C−1 of them). Trained with the MMC loss ½‖z − μ_y‖² at a tenth of the run's learning rate (the
/// reference recipes train MMC at lr 0.01 where softmax uses 0.1; at the full rate the unbounded squared loss
/// diverges in a few steps); the nearest centre decides.
/// </summary>
public sealed class MmcLabels : ILabelKind
{
    public string Name => "mmc";
    public string Description => "Max-Mahalanobis centres: a regular simplex of radius 10 (MMC loss ½‖z − μ_y‖² at lr/10, nearest centre)";
    public LabelRole Role => LabelRole.Alternative;

    public double LearningRateFactor => 0.1;

    /// <summary>radius: the centres' norm (the C_MM = 10 of Pang et al.); dim: the output dimension (0: the class count).</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; } = new Dictionary<string, double> { ["radius"] = 10, ["dim"] = 0 };

    public LabelBank Build(LabelContext context)
    {
        int classes = context.Dataset.ClassCount;
        double radius = context.Parameters.Real("radius", 0, 1e4);
        int dim = context.Parameters.Integer("dim", 0, 65536);
        if (dim == 0) dim = classes;
        if (dim < classes - 1)
            throw new LabelRepException($"label '{context.Parameters.Name}': dim={dim} must be at least {classes - 1} (C − 1) for {classes} centres");
        double[,] unit = Centres(classes, dim);
        var data = new float[classes * dim];
        for (int c = 0; c < classes; c++)
            for (int k = 0; k < dim; k++) data[c * dim + k] = (float)(radius * unit[c, k]);
        return new LabelBank(context.Parameters.Name, torch.tensor(data, new long[] { classes, dim }));
    }

    public Objective CreateObjective(LabelBank bank, double labelSmoothing, LabelParameters parameters)
    {
        if (labelSmoothing != 0) throw new LabelRepException("--label-smoothing applies to categorical labels only");
        return new MmcObjective(bank);
    }

    /// <summary>
    /// Unit centres with ⟨μ_i, μ_j⟩ = −1/(C−1): μ₁ = e₁; for i ≥ 2, μ_i(j) = −(1/(C−1) + ⟨μ_i, μ_j⟩)/μ_j(j) for j &lt; i,
    /// then μ_i(i) = √(1 − ‖μ_i‖²). Centre C's last coordinate is 0, so the points lie in C−1 dimensions.
    /// </summary>
    public static double[,] Centres(int classes, int dim)
    {
        var mu = new double[classes, Math.Max(dim, classes)];
        mu[0, 0] = 1;
        for (int i = 1; i < classes; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double dot = 0;
                for (int k = 0; k < j; k++) dot += mu[i, k] * mu[j, k];
                mu[i, j] = -(1.0 / (classes - 1) + dot) / mu[j, j];
            }
            double norm = 0;
            for (int k = 0; k < i; k++) norm += mu[i, k] * mu[i, k];
            mu[i, i] = Math.Sqrt(Math.Max(0, 1 - norm));
        }
        if (dim >= classes) return mu;
        var trimmed = new double[classes, dim]; // dim = C − 1: the last coordinate is 0 for every centre
        for (int i = 0; i < classes; i++)
            for (int k = 0; k < dim; k++) trimmed[i, k] = mu[i, k];
        return trimmed;
    }
}

/// <summary>The MMC loss: ½‖z − μ_y‖² summed over the output's dimensions, averaged over the batch; the nearest centre decides.</summary>
public sealed class MmcObjective : Objective
{
    public MmcObjective(LabelBank bank) : base(bank, new NearestLabelDecision(bank)) { }

    public override string LossName => "mmc";

    public override Tensor Loss(Tensor output, Tensor classes) => PerImageLoss(output, classes).mean();

    public override Tensor PerImageLoss(Tensor output, Tensor classes) =>
        (output - Bank.Targets.index_select(0, classes)).pow(2).reshape(output.shape[0], -1).sum(new long[] { 1 }) * 0.5;
}
