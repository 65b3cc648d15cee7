using LabelRep.Labels;
using LabelRep.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Training;

/// <summary>
/// What a label kind asks of training and evaluation: the head's output shape, the training loss, and the decision
/// as class scores (argmax = predicted class), so that accuracy and attacks treat every kind alike.
/// </summary>
public abstract class Objective : IDisposable
{
    public abstract HeadShape Head { get; }

    /// <summary>"cross-entropy" or "smooth-l1".</summary>
    public abstract string LossName { get; }

    /// <summary>Mean training loss of a batch of model outputs against class indices.</summary>
    public abstract Tensor Loss(Tensor output, Tensor classes);

    /// <summary>The training loss of each image on its own (B): what the paper's attacks ascend, one image at a time.</summary>
    public abstract Tensor PerImageLoss(Tensor output, Tensor classes);

    /// <summary>Per-class scores (B, C): logits, or −MSE to each class's label.</summary>
    public abstract Tensor Scores(Tensor output);

    /// <summary>The predicted class per image (ties: lowest index).</summary>
    public Tensor Predict(Tensor output) => Scores(output).argmax(1);

    public virtual void To(Device device) { }

    public virtual void Dispose() { }
}

/// <summary>Class index targets, a linear head, cross-entropy (optionally label-smoothed as torchtoolbox: 1−s on the true class, s/(C−1) elsewhere).</summary>
public sealed class CategoricalObjective : Objective
{
    private readonly int _classes;
    private readonly double _smoothing;

    public CategoricalObjective(int classes, double smoothing)
    {
        if (smoothing < 0 || smoothing >= 1) throw new LabelRepException($"--label-smoothing {smoothing}: must be in [0, 1)");
        _classes = classes;
        _smoothing = smoothing;
    }

    public override HeadShape Head => HeadShape.Vector(_classes);
    public override string LossName => "cross-entropy";

    public override Tensor Loss(Tensor output, Tensor classes)
    {
        if (_smoothing == 0) return nn.functional.cross_entropy(output, classes);
        Tensor logp = nn.functional.log_softmax(output, 1);
        Tensor target = torch.full_like(logp, _smoothing / (_classes - 1)).scatter_(1, classes.unsqueeze(1), 1 - _smoothing);
        return -(target * logp).sum(1).mean();
    }

    /// <summary>Plain cross-entropy per image (the official attack code ignores label smoothing).</summary>
    public override Tensor PerImageLoss(Tensor output, Tensor classes) =>
        nn.functional.cross_entropy(output, classes, reduction: nn.Reduction.None);

    public override Tensor Scores(Tensor output) => output;
}

/// <summary>Regression to a fixed label per class: Smooth-L1 (β = 1, mean) in training; nearest label by MSE to decide (§5, §6).</summary>
public sealed class RegressionObjective : Objective
{
    private Tensor _targets;

    public RegressionObjective(LabelBank bank)
    {
        Bank = bank;
        _targets = bank.Targets;
    }

    public LabelBank Bank { get; }

    public override HeadShape Head => new(Bank.LabelShape);
    public override string LossName => "smooth-l1";

    public override Tensor Loss(Tensor output, Tensor classes) =>
        nn.functional.smooth_l1_loss(output, _targets.index_select(0, classes));

    /// <summary>Smooth-L1 to the image's class label, averaged over the label's elements.</summary>
    public override Tensor PerImageLoss(Tensor output, Tensor classes) =>
        nn.functional.smooth_l1_loss(output, _targets.index_select(0, classes), reduction: nn.Reduction.None)
            .reshape(output.shape[0], -1).mean(new long[] { 1 });

    /// <summary>score_c = −mean over the label's elements of (output − label_c)², one class at a time (exact, differentiable, small memory).</summary>
    public override Tensor Scores(Tensor output)
    {
        Tensor o = output.reshape(output.shape[0], -1);
        Tensor l = _targets.reshape(_targets.shape[0], -1);
        var columns = new Tensor[l.shape[0]];
        for (int c = 0; c < columns.Length; c++) columns[c] = (o - l[c]).pow(2).mean(new long[] { 1 });
        return -torch.stack(columns, 1);
    }

    public override void To(Device device)
    {
        if (_targets.device.type != device.type) _targets = _targets.to(device);
    }

    public override void Dispose() => Bank.Dispose();
}
