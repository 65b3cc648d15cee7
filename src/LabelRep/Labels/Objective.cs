using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Labels;

/// <summary>
/// What a label kind asks of training and evaluation: its bank (whose label shape is the head's output), the training
/// loss, and the decision rule. Built by <see cref="ILabelKind.CreateObjective"/>.
/// </summary>
public abstract class Objective : IDisposable
{
    protected Objective(LabelBank bank, Decision decision)
    {
        Bank = bank;
        Decision = decision;
    }

    public LabelBank Bank { get; }

    public Decision Decision { get; }

    /// <summary>The output shape per image: the shape of one label ((C) logits for categorical, (d) or (H, W) otherwise).</summary>
    public int[] OutputShape => Bank.LabelShape;

    /// <summary>"cross-entropy" or "smooth-l1".</summary>
    public abstract string LossName { get; }

    /// <summary>Mean training loss of a batch of model outputs against class indices.</summary>
    public abstract Tensor Loss(Tensor output, Tensor classes);

    /// <summary>The training loss of each image on its own (B): what the paper's attacks ascend.</summary>
    public abstract Tensor PerImageLoss(Tensor output, Tensor classes);

    /// <summary>Moves the bank to the model's device.</summary>
    public void To(Device device) => Bank.To(device);

    public void Dispose() => Bank.Dispose();
}

/// <summary>Class index targets, logits, cross-entropy (optionally label-smoothed as torchtoolbox: 1−s on the true class, s/(C−1) elsewhere), argmax.</summary>
public sealed class CrossEntropyObjective : Objective
{
    private readonly int _classes;
    private readonly double _smoothing;

    public CrossEntropyObjective(LabelBank bank, double smoothing) : base(bank, new ArgmaxDecision())
    {
        if (smoothing < 0 || smoothing >= 1) throw new LabelRepException($"--label-smoothing {smoothing}: must be in [0, 1)");
        _classes = bank.ClassCount;
        _smoothing = smoothing;
    }

    public override string LossName => "cross-entropy";

    public override Tensor Loss(Tensor output, Tensor classes)
    {
        if (_smoothing == 0) return nn.functional.cross_entropy(output, classes);
        Tensor logp = nn.functional.log_softmax(output, 1);
        Tensor onehot = nn.functional.one_hot(classes, _classes).to_type(logp.dtype);
        Tensor target = onehot * (1 - _smoothing) + (1 - onehot) * (_smoothing / (_classes - 1));
        return -(target * logp).sum(1).mean();
    }

    /// <summary>Plain cross-entropy per image (the official attack code ignores label smoothing).</summary>
    public override Tensor PerImageLoss(Tensor output, Tensor classes) =>
        nn.functional.cross_entropy(output, classes, reduction: nn.Reduction.None);
}

/// <summary>Regression to a fixed label per class: Smooth-L1 (β = 1, mean) in training, the nearest label by MSE to decide (§5, §6).</summary>
public sealed class RegressionObjective : Objective
{
    public RegressionObjective(LabelBank bank) : base(bank, new NearestLabelDecision(bank)) { }

    public override string LossName => "smooth-l1";

    public override Tensor Loss(Tensor output, Tensor classes) =>
        nn.functional.smooth_l1_loss(output, Bank.Targets.index_select(0, classes));

    /// <summary>Smooth-L1 to the image's class label, averaged over the label's elements.</summary>
    public override Tensor PerImageLoss(Tensor output, Tensor classes) =>
        nn.functional.smooth_l1_loss(output, Bank.Targets.index_select(0, classes), reduction: nn.Reduction.None)
            .reshape(output.shape[0], -1).mean(new long[] { 1 });
}
