using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Labels;

/// <summary>One fixed target per class: a float32 tensor (C, d) or (C, H, W). Row i is class i's label (one-hot for categorical).</summary>
public sealed class LabelBank : IDisposable
{
    public LabelBank(string kind, Tensor targets)
    {
        if (targets.dtype != ScalarType.Float32) targets = targets.to_type(ScalarType.Float32);
        if (targets.dim() < 2) throw new ArgumentException("a label bank has shape (C, d) or (C, H, W)");
        Kind = kind;
        Targets = targets;
    }

    /// <summary>
    /// The most elements one class's label may have (a 256×256 label image, or a vector of 65,536): the head grows with
    /// the label, and a vector head of this size on a 512-feature backbone is already 33 million weights.
    /// </summary>
    public const int MaxLabelElements = 65_536;

    public string Kind { get; }
    public Tensor Targets { get; private set; }
    public int ClassCount => (int)Targets.shape[0];
    public int[] LabelShape => Targets.shape.Skip(1).Select(d => (int)d).ToArray();
    public long Dimension => Targets[0].numel();

    /// <summary>The first two classes (by index) whose labels are equal element for element, or null when every label differs.</summary>
    public (int A, int B)? IdenticalClasses()
    {
        float[] data = Targets.contiguous().cpu().data<float>().ToArray();
        int size = (int)(data.Length / Math.Max(1, ClassCount));
        var seen = new Dictionary<string, int>();
        for (int c = 0; c < ClassCount; c++)
        {
            string key = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan(c * size, size)));
            if (seen.TryGetValue(key, out int first)) return (first, c);
            seen[key] = c;
        }
        return null;
    }

    /// <summary>
    /// Whether label images of H×W can be produced by the paper's label decoder: square, with a side that is a
    /// positive multiple of 16 (four doublings after a first transposed convolution of kernel side/16).
    /// </summary>
    public static bool IsDecodableImage(int height, int width) => height == width && height >= 16 && height % 16 == 0;

    /// <summary>Class c's label as a managed array (row-major).</summary>
    public float[] Row(int c) => Targets[c].contiguous().data<float>().ToArray();

    /// <summary>Moves the labels to a device (the model's), once.</summary>
    public void To(Device device)
    {
        if (Targets.device.type == device.type) return;
        Tensor old = Targets;
        Targets = old.to(device);
        old.Dispose();
    }

    public void Dispose() => Targets.Dispose();
}
