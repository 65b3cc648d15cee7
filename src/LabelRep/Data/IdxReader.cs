using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Data;

/// <summary>MNIST-style IDX files (gzipped or raw): Fashion-MNIST and MNIST.</summary>
public sealed class IdxReader : IDatasetReader
{
    public const string FashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

    private readonly string _dir;
    private readonly string _installHint;

    public IdxReader(DatasetInfo info, string dir, string installHint)
    {
        Info = info;
        _dir = dir;
        _installHint = installHint;
    }

    public DatasetInfo Info { get; }

    public static DatasetInfo FashionMnistInfo { get; } = new(
        "fashion-mnist",
        new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" },
        1, 28, 28, new[] { 0.2860f }, new[] { 0.3530f }, HorizontalFlip: true, CropPadding: 2, ValidationCount: 5000);

    public static DatasetInfo MnistInfo { get; } = new(
        "mnist",
        new[] { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine" },
        1, 28, 28, new[] { 0.1307f }, new[] { 0.3081f }, HorizontalFlip: false, CropPadding: 2, ValidationCount: 5000);

    public DatasetSplits Load()
    {
        if (!Directory.Exists(_dir))
            throw new LabelRepException($"{Info.Name}: data folder {Path.GetFullPath(_dir)} does not exist; {_installHint}");
        ImageData test = ReadPair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        return new DatasetSplits(Info, () => ReadPair("train-images-idx3-ubyte", "train-labels-idx1-ubyte"), test);
    }

    private ImageData ReadPair(string imagesName, string labelsName)
    {
        string imagesPath = ByteFiles.Find(_dir, Info.Name, _installHint, imagesName);
        string labelsPath = ByteFiles.Find(_dir, Info.Name, _installHint, labelsName);
        (byte[] pixels, int[] dims) = ReadIdx(imagesPath, expectedRank: 3);
        (byte[] labels, int[] labelDims) = ReadIdx(labelsPath, expectedRank: 1);
        if (labelDims[0] != dims[0])
            throw new LabelRepException($"{labelsPath}: {labelDims[0]} labels but {imagesPath} has {dims[0]} images; the files do not belong together");
        if (dims[1] != Info.Height || dims[2] != Info.Width)
            throw new LabelRepException($"{imagesPath}: images are {dims[1]}×{dims[2]}, expected {Info.Height}×{Info.Width}");
        foreach (byte l in labels)
        {
            if (l >= Info.ClassCount)
                throw new LabelRepException($"{labelsPath}: label {l} is out of range 0..{Info.ClassCount - 1}; the file is corrupt");
        }
        var images = torch.tensor(pixels, new long[] { dims[0], 1, dims[1], dims[2] });
        var labelTensor = torch.tensor(labels.Select(b => (long)b).ToArray(), ScalarType.Int64);
        return new ImageData(images, labelTensor);
    }

    /// <summary>Parses an IDX file of unsigned bytes: magic 00 00 08 rank, big-endian dimensions, then data.</summary>
    public static (byte[] Data, int[] Dims) ReadIdx(string path, int expectedRank)
    {
        byte[] bytes = ByteFiles.ReadAll(path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new LabelRepException($"{path}: not an IDX file (bad magic number)");
        if (bytes[2] != 0x08)
            throw new LabelRepException($"{path}: IDX data type 0x{bytes[2]:x2} is not supported (only unsigned bytes, 0x08)");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new LabelRepException($"{path}: IDX file has {rank} dimensions, expected {expectedRank}");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new LabelRepException($"{path}: truncated IDX header; download the file again");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            int o = 4 + 4 * i;
            dims[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
            if (dims[i] < 0) throw new LabelRepException($"{path}: corrupt IDX header (negative dimension)");
            count *= dims[i];
        }
        if (bytes.Length - headerLength != count)
            throw new LabelRepException(
                $"{path}: expected {count} data bytes after the header, found {bytes.Length - headerLength}; the file is truncated or corrupt, download it again");
        return (bytes[headerLength..], dims);
    }
}
