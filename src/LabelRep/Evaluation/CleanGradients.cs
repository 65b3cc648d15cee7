using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// The input gradient at the clean images of one batch, per attack space and loss, computed once and shared by every
/// attack of a sweep that takes it: FGSM at each ε, and the first step of BIM (and of the transfer attack) at each ε.
/// In the paper's sweep (6 ε × FGSM and BIM × untargeted and targeted) this cuts 72 gradients an image to 50. The
/// gradient is a deterministic function of the batch (the runner checks the forward pass is), so results are the
/// same as computing it each time. Belongs to one runner's sweep; the cached tensors live until it is disposed.
/// </summary>
public sealed class CleanGradients : IDisposable
{
    private readonly Dictionary<(AttackSpace, AttackLoss), Tensor> _cached = new();

    /// <summary>Gradients kept (one per attack space and loss).</summary>
    public int Count => _cached.Count;

    /// <summary>∇ₓ of <paramref name="loss"/> at <paramref name="batch"/>'s clean inputs, a fresh tensor the caller owns.</summary>
    public Tensor Of(AttackSpace space, AttackBatch batch, AttackLoss loss)
    {
        if (!_cached.TryGetValue((space, loss), out Tensor? gradient))
        {
            gradient = space.Gradient(batch.Clean, batch, loss).detach().clone();
            gradient.DetachFromDisposeScope();
            _cached[(space, loss)] = gradient;
        }
        return gradient.clone();
    }

    public void Dispose()
    {
        foreach (Tensor t in _cached.Values) t.Dispose();
        _cached.Clear();
    }
}
