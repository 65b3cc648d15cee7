using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Data;

/// <summary>
/// Augmentation on a whole batch at once: random crop after zero padding (torchvision's RandomCrop(padding=p)) and
/// random horizontal flip (p = 0.5), driven by one generator so that a seed fixes every draw.
/// </summary>
public static class BatchAugmentation
{
    /// <summary>Takes from <paramref name="generator"/> exactly what <see cref="Apply"/> takes for a batch of <paramref name="count"/>, without images (to resume inside an epoch).</summary>
    public static void SkipDraws(long count, int padding, bool flip, Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        if (padding > 0)
        {
            torch.randint(0, 2 * padding + 1, new long[] { count }, generator: generator);
            torch.randint(0, 2 * padding + 1, new long[] { count }, generator: generator);
        }
        if (flip) torch.rand(new long[] { count }, generator: generator);
    }

    /// <summary>Returns an augmented copy of <paramref name="images"/> (B, C, H, W).</summary>
    public static Tensor Apply(Tensor images, int padding, bool flip, Generator generator)
    {
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        Tensor x = images;
        if (padding > 0)
        {
            Tensor padded = nn.functional.pad(images, new long[] { padding, padding, padding, padding });
            Tensor offY = torch.randint(0, 2 * padding + 1, new long[] { b }, generator: generator);
            Tensor offX = torch.randint(0, 2 * padding + 1, new long[] { b }, generator: generator);
            Tensor rows = (offY.view(b, 1, 1, 1) + torch.arange(h).view(1, 1, h, 1)).expand(b, c, h, w + 2 * padding);
            Tensor cropped = padded.gather(2, rows);
            Tensor cols = (offX.view(b, 1, 1, 1) + torch.arange(w).view(1, 1, 1, w)).expand(b, c, h, w);
            x = cropped.gather(3, cols);
        }
        if (flip)
        {
            Tensor mask = torch.rand(new long[] { b }, generator: generator).lt(0.5).view(b, 1, 1, 1);
            x = torch.where(mask, x.flip(3), x);
        }
        return x;
    }
}
