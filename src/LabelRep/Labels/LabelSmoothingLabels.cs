using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// Categorical labels trained with label smoothing α (default 0.1; 1 − α on the true class, α/(C−1) on each other,
/// as the categorical kind's --label-smoothing): a linear head, cross-entropy against the smoothed target, argmax.
/// Its apparent robustness is known to fall to transfer attacks; the suite's transfer attack is what shows it.
/// </summary>
public sealed class LabelSmoothingLabels : ILabelKind
{
    public string Name => "label-smoothing";
    public string Description => "categorical with label smoothing α (default 0.1): linear head, smoothed cross-entropy, argmax";
    public LabelRole Role => LabelRole.Alternative;

    public IReadOnlyDictionary<string, double> Parameters { get; } = new Dictionary<string, double> { ["alpha"] = 0.1 };

    public LabelBank Build(LabelContext context)
    {
        context.Parameters.Real("alpha", 0, 0.999);
        return new LabelBank(context.Parameters.Name, torch.eye(context.Dataset.ClassCount));
    }

    public Objective CreateObjective(LabelBank bank, double labelSmoothing, LabelParameters parameters)
    {
        if (labelSmoothing != 0)
            throw new LabelRepException($"--label-smoothing: the label-smoothing kind sets α in its name instead (label-smoothing:alpha={labelSmoothing.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        CategoricalLabels.RequireOneHot(bank, Name);
        return new CrossEntropyObjective(bank, parameters.Real("alpha", 0, 0.999));
    }
}
