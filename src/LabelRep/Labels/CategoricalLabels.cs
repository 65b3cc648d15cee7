using TorchSharp;

namespace LabelRep.Labels;

/// <summary>The paper's baseline: a class index, i.e. a one-hot bank, with a linear head, cross-entropy and argmax.</summary>
public sealed class CategoricalLabels : ILabelKind
{
    public string Name => "categorical";
    public string Description => "class index with a linear head and cross-entropy";
    public LabelRole Role => LabelRole.Baseline;

    public LabelBank Build(LabelContext context) => new(Name, torch.eye(context.Dataset.ClassCount));

    public Objective CreateObjective(LabelBank bank, double labelSmoothing)
    {
        using var identity = torch.eye(bank.ClassCount, device: bank.Targets.device);
        if (bank.LabelShape is not [var d] || d != bank.ClassCount || !bank.Targets.eq(identity).all().item<bool>())
            throw new LabelRepException("--labels FILE needs a regression label kind; categorical labels are class indices");
        return new CrossEntropyObjective(bank, labelSmoothing);
    }
}
