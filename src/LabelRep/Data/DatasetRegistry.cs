namespace LabelRep.Data;

/// <summary>Datasets by name: fashion-mnist, mnist, cifar10, cifar100, folder:PATH.</summary>
public static class DatasetRegistry
{
    public static readonly string[] Names = { "fashion-mnist", "mnist", "cifar10", "cifar100", "folder:PATH" };

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a dataset.</summary>
    public static void Validate(string name)
    {
        if (!name.StartsWith("folder:", StringComparison.Ordinal) && !Names.Contains(name))
            throw new LabelRepException($"unknown dataset '{name}'; valid: {string.Join(", ", Names)}");
    }

    /// <summary>The reader for <paramref name="name"/>; <paramref name="dataDir"/> overrides the default location.</summary>
    public static IDatasetReader Open(string name, string? dataDir)
    {
        if (name.StartsWith("folder:", StringComparison.Ordinal))
            return new ImageFolderReader(name["folder:".Length..]);
        return name switch
        {
            "fashion-mnist" => new IdxReader(IdxReader.FashionMnistInfo, dataDir ?? IdxReader.FashionMnistDefaultDir,
                "install it with 'apt-get install -y dataset-fashion-mnist' or pass --data-dir DIR holding the four IDX files"),
            "mnist" => new IdxReader(IdxReader.MnistInfo, dataDir ?? "data/mnist",
                "put the four MNIST IDX files (train-images-idx3-ubyte.gz, …) there or pass --data-dir DIR"),
            "cifar10" => new CifarReader(dataDir ?? "data/cifar10", hundred: false),
            "cifar100" => new CifarReader(dataDir ?? "data/cifar100", hundred: true),
            _ => throw new LabelRepException($"unknown dataset '{name}'; valid: {string.Join(", ", Names)}"),
        };
    }
}
