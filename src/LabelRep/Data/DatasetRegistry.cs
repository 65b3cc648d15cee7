namespace LabelRep.Data;

/// <summary>Datasets by name: every <see cref="IDataset"/> class (fashion-mnist, mnist, cifar10, cifar100, folder:PATH).</summary>
public static class DatasetRegistry
{
    /// <summary>The registered datasets, the built-in ones in this order, then any other by name.</summary>
    public static Registry<IDataset> Datasets { get; } = new("dataset", first: new[] { "fashion-mnist", "mnist", "cifar10", "cifar100", "folder:PATH" });

    public static IReadOnlyList<string> Names => Datasets.Names;

    /// <summary>The dataset <paramref name="name"/> names ("folder:PATH" for any folder), or one line listing the valid names.</summary>
    public static IDataset Get(string name) =>
        name.StartsWith(ImageFolderDataset.Prefix, StringComparison.Ordinal) ? Datasets.Get(ImageFolderDataset.Prefix + "PATH") : Datasets.Get(name);

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a dataset.</summary>
    public static void Validate(string name) => Get(name);

    /// <summary>The reader for <paramref name="name"/>; <paramref name="dataDir"/> overrides the default location.</summary>
    public static IDatasetReader Open(string name, string? dataDir) =>
        name.StartsWith(ImageFolderDataset.Prefix, StringComparison.Ordinal)
            ? Get(name).Open(name[ImageFolderDataset.Prefix.Length..])
            : Get(name).Open(dataDir);
}
