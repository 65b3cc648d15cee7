namespace LabelRep.Models;

/// <summary>Backbones by name (timm-style): each entry is a small factory taking the input channel count.</summary>
public static class ModelRegistry
{
    private static readonly Dictionary<string, (string Description, Func<int, Backbone> Create)> Entries = new()
    {
        ["smallcnn"] = ("~93k-parameter CNN for CPU work (3 conv blocks, 1,152 features)", c => new SmallCnn(c)),
        ["resnet20"] = ("CIFAR ResNet-20 (n = 3), 64 features", c => new CifarResNet(20, c)),
        ["resnet32"] = ("CIFAR ResNet-32 (n = 5), the paper's", c => new CifarResNet(32, c)),
        ["resnet110"] = ("CIFAR ResNet-110 (n = 18), the paper's", c => new CifarResNet(110, c)),
        ["vgg19"] = ("VGG19-BN, the paper's (512 features)", c => new Vgg(c)),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static string Describe(string name) => Entries[name].Description;

    public static Backbone Create(string name, int channels)
    {
        Validate(name);
        return Entries[name].Create(channels);
    }

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a backbone.</summary>
    public static void Validate(string name)
    {
        if (!Entries.ContainsKey(name))
            throw new LabelRepException($"unknown model '{name}'; valid: {string.Join(", ", Entries.Keys)}");
    }
}
