namespace LabelRep.Labels;

/// <summary>A d-dimensional U(0, 80) vector per class (§3.8, default d = 10), regressed by a linear head.</summary>
public sealed class LowDimLabels : ILabelKind
{
    public string Name => "lowdim";
    public string Description => "d-dimensional U(0, 80) vector per class (default d = 10): low-dimensional";
    public LabelRole Role => LabelRole.Control;
    public bool DrawnAtRandom => true;

    public LabelBank Build(LabelContext context) =>
        new(Name, RandomLabels.Uniform(context.Options.LabelSeed + 3, context.Dataset.ClassCount, context.Options.LowDim));
}
