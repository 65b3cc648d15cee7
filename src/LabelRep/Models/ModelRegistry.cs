namespace LabelRep.Models;

/// <summary>
/// A backbone by name (timm-style): one small class beside the backbone's own (see <see cref="SmallCnnBackbone"/>),
/// found by reflection, that makes the backbone for an input channel count.
/// </summary>
public interface IBackbone : IRegistered
{
    string Description { get; }

    Backbone Create(int channels);
}

/// <summary>Backbones by name: every <see cref="IBackbone"/> class; the CPU ones first, then the paper's, then any other.</summary>
public static class ModelRegistry
{
    public static Registry<IBackbone> Backbones { get; } = new("model", first: new[] { "smallcnn", "resnet20", "resnet32", "resnet110", "vgg19" });

    public static IReadOnlyCollection<string> Names => Backbones.Names;

    public static string Describe(string name) => Backbones.Get(name).Description;

    public static Backbone Create(string name, int channels) => Backbones.Get(name).Create(channels);

    /// <summary>Throws a listing of the valid names when <paramref name="name"/> is not a backbone.</summary>
    public static void Validate(string name) => Backbones.Get(name);
}
