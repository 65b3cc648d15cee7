using TorchSharp;

namespace LabelRep.Native;

/// <summary>The one place that turns "--device auto|cpu|cuda" into a TorchSharp device.</summary>
public static class DeviceSelector
{
    public static readonly string[] Names = { "auto", "cpu", "cuda" };

    public static torch.Device Resolve(string name)
    {
        switch (name.ToLowerInvariant())
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new LabelRepException("--device cuda: no CUDA device or CUDA build of libtorch is available; use --device cpu");
                return torch.CUDA;
            case "auto":
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            default:
                throw new LabelRepException($"unknown device '{name}'; valid: {string.Join(", ", Names)}");
        }
    }
}
