using LabelRep.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>The one loop over images in batches that accuracy, features and attacks share.</summary>
public static class ImageBatches
{
    /// <summary>
    /// Calls <paramref name="body"/> with the images (in [0, 1], on <paramref name="device"/>), their labels and the
    /// offset of each batch of <paramref name="indices"/>, inside a dispose scope per batch (docs/toolchain.md, "Memory"). With
    /// <paramref name="releaseMemory"/> (attacks: seconds a batch) the freed memory goes back to the system after each.
    /// </summary>
    public static void ForEach(ImageData data, int[] indices, int batchSize, Device device, Action<Tensor, Tensor, int> body, CancellationToken cancel = default,
        bool releaseMemory = false)
    {
        for (int start = 0; start < indices.Length; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            using (torch.NewDisposeScope())
            {
                int count = Math.Min(batchSize, indices.Length - start);
                using var index = torch.tensor(indices.AsSpan(start, count).ToArray().Select(i => (long)i).ToArray(), ScalarType.Int64);
                var (x, y) = data.Batch(index);
                body(x.to(device), y.to(device), start);
            }
            if (releaseMemory) Native.TorchRuntime.ReleaseFreeMemory();
        }
    }
}
