namespace LabelRep.Data;

/// <summary>
/// A dataset LabelRep knows by name: one small class (see <see cref="Datasets"/>'s entries), found by reflection. It
/// says where its files live by default and how to get them, how many training images its training file holds (so
/// `study plan` can size a grid before any file is read), and which <see cref="IDatasetReader"/> reads it.
/// </summary>
public interface IDataset : IRegistered
{
    string Description { get; }

    /// <summary>Images in the training file (validation included), or null when only reading the files can tell.</summary>
    int? TrainImages { get; }

    /// <summary>The reader of the files in <paramref name="dataDir"/>, or in the default folder when null.</summary>
    IDatasetReader Open(string? dataDir);
}

/// <summary>Fashion-MNIST as Debian's dataset-fashion-mnist package installs it (IDX files).</summary>
public sealed class FashionMnistDataset : IDataset
{
    public string Name => "fashion-mnist";
    public string Description => "Zalando's 28×28 grey clothing images, 10 classes (apt-get install -y dataset-fashion-mnist)";
    public int? TrainImages => 60_000;

    public IDatasetReader Open(string? dataDir) => new IdxReader(IdxReader.FashionMnistInfo, dataDir ?? IdxReader.FashionMnistDefaultDir,
        "install it with 'apt-get install -y dataset-fashion-mnist' or pass --data-dir DIR holding the four IDX files");
}

/// <summary>MNIST's four IDX files.</summary>
public sealed class MnistDataset : IDataset
{
    public string Name => "mnist";
    public string Description => "28×28 grey handwritten digits, 10 classes (the four IDX files in data/mnist or --data-dir)";
    public int? TrainImages => 60_000;

    public IDatasetReader Open(string? dataDir) => new IdxReader(IdxReader.MnistInfo, dataDir ?? "data/mnist",
        "put the four MNIST IDX files (train-images-idx3-ubyte.gz, …) there or pass --data-dir DIR");
}

/// <summary>CIFAR-10 in its official binary layout.</summary>
public sealed class Cifar10Dataset : IDataset
{
    public string Name => "cifar10";
    public string Description => "32×32 colour images, 10 classes, the paper's (the binary version in data/cifar10 or --data-dir)";
    public int? TrainImages => 50_000;
    public IDatasetReader Open(string? dataDir) => new CifarReader(dataDir ?? "data/cifar10", hundred: false);
}

/// <summary>CIFAR-100 in its official binary layout (fine labels).</summary>
public sealed class Cifar100Dataset : IDataset
{
    public string Name => "cifar100";
    public string Description => "32×32 colour images, 100 classes, the paper's (the binary version in data/cifar100 or --data-dir)";
    public int? TrainImages => 50_000;
    public IDatasetReader Open(string? dataDir) => new CifarReader(dataDir ?? "data/cifar100", hundred: true);
}

/// <summary>Any folder of images, one subfolder per class (dataset name "folder:PATH").</summary>
public sealed class ImageFolderDataset : IDataset
{
    public const string Prefix = "folder:";
    public string Name => Prefix + "PATH";
    public string Description => "a folder of images with one subfolder per class (or train/ and test/ of them), resized to the first image's size";
    public int? TrainImages => null;

    /// <summary><paramref name="dataDir"/> is the folder (the name's PATH).</summary>
    public IDatasetReader Open(string? dataDir) => new ImageFolderReader(dataDir ?? throw new LabelRepException("folder:PATH needs its PATH"));
}
