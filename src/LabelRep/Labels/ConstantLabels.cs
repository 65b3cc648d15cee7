using TorchSharp;

namespace LabelRep.Labels;

/// <summary>A 64×64 matrix filled with i·80/(C−1) for class i (§3.6; the official code calls it "uniform").</summary>
public sealed class ConstantLabels : ILabelKind
{
    public string Name => "constant";
    public string Description => "64×64 matrix filled with i·80/(C−1): high-dimensional but zero entropy";
    public string OfficialName => "uniform";
    public LabelRole Role => LabelRole.Control;

    public LabelBank Build(LabelContext context)
    {
        int classes = context.Dataset.ClassCount;
        var values = Enumerable.Range(0, classes).Select(i => (float)(i * 80.0 / (classes - 1))).ToArray();
        return new LabelBank(Name, torch.tensor(values).view(classes, 1, 1).expand(classes, 64, 64).contiguous());
    }
}
