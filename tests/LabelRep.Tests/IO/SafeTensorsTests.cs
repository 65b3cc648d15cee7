using LabelRep.IO;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void Tensors_round_trip_with_names_shapes_and_dtypes()
    {
        string path = Path.Combine(TestData.TempDir("st"), "x.safetensors");
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["a.weight"] = torch.randn(3, 4),
            ["b.num_batches_tracked"] = torch.tensor(7L),
            ["c"] = torch.arange(5, dtype: torch.ScalarType.Float64),
        };

        SafeTensors.Save(path, tensors);
        var loaded = SafeTensors.Load(path);

        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (k, v) in tensors) Assert.True(TensorAssert.Same(v, loaded[k]), k);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void A_truncated_file_is_a_clear_error()
    {
        string path = Path.Combine(TestData.TempDir("st"), "x.safetensors");
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["a"] = torch.randn(100) });
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..200]);
        Assert.Throws<LabelRepException>(() => SafeTensors.Load(path));
    }
}
