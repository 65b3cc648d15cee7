using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 in the official binary layout: records of label byte(s) + 3072 bytes (R, G, B planes,
/// 32×32 row-major). CIFAR-10: data_batch_1..5.bin + test_batch.bin; CIFAR-100: train.bin + test.bin with a
/// coarse and a fine label byte (the fine label is the class, alphabetical as in torchvision).
/// </summary>
public sealed class CifarReader : IDatasetReader
{
    private const int ImageBytes = 3 * 32 * 32;
    private static readonly float[] PaperMean = { 0.4914f, 0.4822f, 0.4465f };
    private static readonly float[] PaperStd = { 0.2023f, 0.1994f, 0.2010f };

    private readonly string _dir;
    private readonly bool _hundred;

    public CifarReader(string dir, bool hundred)
    {
        _dir = dir;
        _hundred = hundred;
        Info = hundred ? Cifar100Info : Cifar10Info;
    }

    public DatasetInfo Info { get; }

    public static IReadOnlyList<string> Cifar10Classes { get; } = new[]
        { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

    public static IReadOnlyList<string> Cifar100Classes { get; } = new[]
    {
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    };

    /// <summary>The words of the official CIFAR-10 recordings (labels/cifar10_wav/&lt;MID&gt;|&lt;Name&gt;.wav): class 1 is "Car".</summary>
    public static IReadOnlyList<string> Cifar10SpokenNames { get; } = new[]
        { "Airplane", "Car", "Bird", "Cat", "Deer", "Dog", "Frog", "Horse", "Ship", "Truck" };

    public static DatasetInfo Cifar10Info { get; } =
        new("cifar10", Cifar10Classes, 3, 32, 32, PaperMean, PaperStd, HorizontalFlip: true, CropPadding: 4, ValidationCount: 5000, Cifar10SpokenNames);

    public static DatasetInfo Cifar100Info { get; } =
        new("cifar100", Cifar100Classes, 3, 32, 32, PaperMean, PaperStd, HorizontalFlip: true, CropPadding: 4, ValidationCount: 5000);

    private string Hint => _hundred
        ? "download the 'CIFAR-100 binary version' (cifar-100-binary.tar.gz) from the CIFAR page, unpack it and pass --data-dir cifar-100-binary"
        : "download the 'CIFAR-10 binary version' (cifar-10-binary.tar.gz) from the CIFAR page, unpack it and pass --data-dir cifar-10-batches-bin";

    public DatasetSplits Load()
    {
        string dir = ResolveDir();
        string[] trainFiles = _hundred
            ? new[] { "train.bin" }
            : Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray();
        string testFile = _hundred ? "test.bin" : "test_batch.bin";
        ImageData test = ReadRecords(new[] { ByteFiles.Find(dir, Info.Name, Hint, testFile) });
        return new DatasetSplits(Info, () => ReadRecords(trainFiles.Select(f => ByteFiles.Find(dir, Info.Name, Hint, f)).ToArray()), test);
    }

    private string ResolveDir()
    {
        string nested = Path.Combine(_dir, _hundred ? "cifar-100-binary" : "cifar-10-batches-bin");
        if (Directory.Exists(nested)) return nested;
        if (!Directory.Exists(_dir))
            throw new LabelRepException($"{Info.Name}: data folder {Path.GetFullPath(_dir)} does not exist; {Hint}");
        return _dir;
    }

    private ImageData ReadRecords(string[] paths)
    {
        int labelBytes = _hundred ? 2 : 1;
        int recordBytes = labelBytes + ImageBytes;
        var pixels = new List<byte[]>();
        var labels = new List<long>();
        foreach (string path in paths)
        {
            byte[] bytes = ByteFiles.ReadAll(path);
            if (bytes.Length == 0 || bytes.Length % recordBytes != 0)
                throw new LabelRepException(
                    $"{path}: {bytes.Length} bytes is not a whole number of {recordBytes}-byte {Info.Name} records; the file is truncated or not {Info.Name} binary data");
            int n = bytes.Length / recordBytes;
            var block = new byte[n * ImageBytes];
            for (int i = 0; i < n; i++)
            {
                int o = i * recordBytes;
                int label = bytes[o + labelBytes - 1];
                if (label >= Info.ClassCount)
                    throw new LabelRepException($"{path}: record {i} has label {label}, outside 0..{Info.ClassCount - 1}; the file is corrupt");
                labels.Add(label);
                Buffer.BlockCopy(bytes, o + labelBytes, block, i * ImageBytes, ImageBytes);
            }
            pixels.Add(block);
        }
        byte[] all = pixels.SelectMany(b => b).ToArray();
        var images = torch.tensor(all, new long[] { labels.Count, 3, 32, 32 });
        return new ImageData(images, torch.tensor(labels.ToArray(), ScalarType.Int64));
    }
}
