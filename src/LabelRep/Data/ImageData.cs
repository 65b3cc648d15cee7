using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Data;

/// <summary>
/// A whole split in memory: images as one uint8 tensor (N, C, H, W) and labels as one int64 tensor (N).
/// Batches are taken by index and converted to float [0, 1] only then, so a dataset costs one byte a pixel.
/// </summary>
public sealed class ImageData : IDisposable
{
    public ImageData(Tensor images, Tensor labels)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
            throw new ArgumentException("images must be a uint8 tensor of shape (N, C, H, W)");
        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException("labels must be an int64 tensor of shape (N)");
        Images = images;
        Labels = labels;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Count => (int)Images.shape[0];

    /// <summary>The images and labels at <paramref name="indices"/>, images as float in [0, 1].</summary>
    public (Tensor Images, Tensor Labels) Batch(Tensor indices) =>
        (Images.index_select(0, indices).to_type(ScalarType.Float32).div_(255f), Labels.index_select(0, indices));

    /// <summary>A view holding only the given rows (copied).</summary>
    public ImageData Subset(long[] indices)
    {
        using var idx = torch.tensor(indices, ScalarType.Int64);
        return new ImageData(Images.index_select(0, idx), Labels.index_select(0, idx));
    }

    /// <summary>Labels as a managed array.</summary>
    public long[] LabelArray() => Labels.data<long>().ToArray();

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// The training file and the test file of a dataset, as read from disk. A reader may hand over the training split as a
/// function read on first use: evaluating or attacking a finished run needs only the test split (on Fashion-MNIST the
/// training images are a third of a second and 47 MB that an attack would read for nothing).
/// </summary>
public sealed class DatasetSplits : IDisposable
{
    private readonly Lazy<ImageData> _train;

    public DatasetSplits(DatasetInfo info, ImageData train, ImageData test)
    {
        Info = info;
        Test = test;
        _train = new Lazy<ImageData>(train);
    }

    /// <param name="readTrain">Reads the training split when it is first used (at most once; its tensors belong to this object, whatever dispose scope is open then).</param>
    public DatasetSplits(DatasetInfo info, Func<ImageData> readTrain, ImageData test)
    {
        Info = info;
        Test = test;
        _train = new Lazy<ImageData>(() =>
        {
            ImageData train = readTrain();
            train.Images.DetachFromDisposeScope();
            train.Labels.DetachFromDisposeScope();
            return train;
        });
    }

    public DatasetInfo Info { get; }
    public ImageData Train => _train.Value;
    public ImageData Test { get; }

    public void Dispose()
    {
        if (_train.IsValueCreated) _train.Value.Dispose();
        Test.Dispose();
    }
}
