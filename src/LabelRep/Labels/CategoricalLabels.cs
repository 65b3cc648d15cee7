using TorchSharp;

namespace LabelRep.Labels;

/// <summary>The paper's baseline: a class index, i.e. a one-hot bank, with a linear head, cross-entropy and argmax.</summary>
public sealed class CategoricalLabels : ILabelKind
{
    public string Name => "categorical";
    public string Description => "class index with a linear head and cross-entropy";
    public LabelRole Role => LabelRole.Baseline;

    public LabelBank Build(LabelContext context) => new(Name, torch.eye(context.Dataset.ClassCount));

    public Objective CreateObjective(LabelBank bank, double labelSmoothing, LabelParameters parameters)
    {
        RequireOneHot(bank, Name);
        return new CrossEntropyObjective(bank, labelSmoothing);
    }

    /// <summary>A bank file given to a class-index kind must be the one-hot bank it would build.</summary>
    internal static void RequireOneHot(LabelBank bank, string kind)
    {
        using var identity = torch.eye(bank.ClassCount, device: bank.Targets.device);
        if (bank.LabelShape is not [var d] || d != bank.ClassCount || !bank.Targets.eq(identity).all().item<bool>())
            throw new LabelRepException($"--labels FILE needs a regression label kind; {kind} labels are class indices");
    }
}
