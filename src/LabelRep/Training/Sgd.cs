using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Training;

/// <summary>
/// SGD with momentum and L2 weight decay, the same update as torch.optim.SGD (dampening 0, no Nesterov):
/// g ← g + wd·p; b ← m·b + g (b = g at the first step); p ← p − lr·b. Its state (the momentum buffers) is plain
/// named tensors, so a checkpoint can hold it and resume exactly.
/// </summary>
public sealed class Sgd : IDisposable
{
    private readonly (string Name, Tensor Param)[] _params;
    private readonly Dictionary<string, Tensor> _buffers = new();
    private readonly double _momentum;
    private readonly double _weightDecay;

    public Sgd(IEnumerable<(string Name, Tensor Param)> parameters, double momentum, double weightDecay)
    {
        _params = parameters.ToArray();
        _momentum = momentum;
        _weightDecay = weightDecay;
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _params) p.grad?.zero_();
    }

    public void Step(double lr)
    {
        using var _ = torch.no_grad();
        // Scalars held in locals until the loop ends: TorchSharp would otherwise make a temporary one per call (the
        // implicit alpha = 1 of add_ included), whose native handle a finalizer could free mid-call (ARCHITECTURE.md).
        using Scalar step = (-lr).ToScalar(), decay = _weightDecay.ToScalar(), momentum = _momentum.ToScalar(), one = 1.0.ToScalar();
        foreach (var (name, p) in _params)
        {
            Tensor? g = p.grad;
            if (g is null) continue;
            if (_weightDecay != 0) g.add_(p, alpha: decay);
            if (_momentum != 0)
            {
                if (_buffers.TryGetValue(name, out Tensor? buf)) buf.mul_(momentum).add_(g, alpha: one);
                else _buffers[name] = buf = g.detach().clone().DetachFromDisposeScope();
                g = buf;
            }
            p.add_(g, alpha: step);
        }
    }

    /// <summary>The momentum buffers by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> State => _buffers;

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        foreach (var t in _buffers.Values) t.Dispose();
        _buffers.Clear();
        foreach (var (name, tensor) in state) _buffers[name] = tensor.to(device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in _buffers.Values) t.Dispose();
    }
}
