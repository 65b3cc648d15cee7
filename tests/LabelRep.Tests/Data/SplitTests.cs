using LabelRep.Data;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.Data;

public class SplitTests
{
    [Fact]
    public void NumpyRandom_matches_numpy_legacy_seeding_and_shuffle()
    {
        // Given: values printed by numpy 1.24 for np.random.seed(7); x = list(range(50000)); np.random.shuffle(x)
        int[] expected = { 29430, 27750, 47782, 10498, 24747, 18647, 9123, 15775 };

        // When
        int[] perm = NumpyRandom.Permutation(50000, 7);

        // Then
        Assert.Equal(expected, perm[..8]);
        Assert.Equal(33211, perm[4999]);
        Assert.Equal(49689, perm[^1]);
        var rng = new NumpyRandom(7);
        Assert.Equal(0.07630829, rng.NextDouble(), 7);
        Assert.Equal(0.77991879, rng.NextDouble(), 7);
    }

    [Fact]
    public void Fractions_are_nested_prefixes_disjoint_from_validation()
    {
        var small = DataSplit.Create(60000, 5000, 0.01, seed: 7);
        var large = DataSplit.Create(60000, 5000, 0.08, seed: 7);
        var full = DataSplit.Create(60000, 5000, 1.0, seed: 7);

        Assert.Equal(600, small.Train.Length);      // floor(60000 · 1%), as the paper's percent of the whole file
        Assert.Equal(4800, large.Train.Length);
        Assert.Equal(55000, full.Train.Length);
        Assert.Equal(small.Train, large.Train[..600]);
        Assert.Equal(small.Validation, full.Validation);
        Assert.Empty(full.Validation.Intersect(full.Train));
        Assert.NotEqual(small.Train, DataSplit.Create(60000, 5000, 0.01, seed: 77).Train);
    }

    [Fact]
    public void Bad_fractions_are_rejected()
    {
        Assert.Throws<LabelRepException>(() => DataSplit.Create(100, 10, 0, 1));
        Assert.Throws<LabelRepException>(() => DataSplit.Create(100, 10, 1.5, 1));
    }

    [Fact]
    public void Augmentation_crops_and_flips_deterministically_per_seed()
    {
        using var x = torch.arange(2 * 1 * 6 * 6, dtype: torch.ScalarType.Float32).view(2, 1, 6, 6);
        using var g1 = new torch.Generator(5);
        using var g2 = new torch.Generator(5);

        using var a = BatchAugmentation.Apply(x, padding: 2, flip: true, g1);
        using var b = BatchAugmentation.Apply(x, padding: 2, flip: true, g2);

        Assert.Equal(x.shape, a.shape);
        Assert.True(TensorAssert.Same(a, b));
        // every crop is a shifted (possibly flipped) window of the zero-padded image: its non-zero values come from the original
        var original = x.data<float>().ToHashSet();
        Assert.All(a.data<float>().ToArray(), v => Assert.True(v == 0 || original.Contains(v)));
    }

    [Fact]
    public void Crop_without_padding_and_flip_is_the_identity()
    {
        using var x = torch.rand(3, 2, 8, 8);
        using var g = new torch.Generator(1);
        using var y = BatchAugmentation.Apply(x, padding: 0, flip: false, g);
        Assert.True(TensorAssert.Same(x, y));
    }
}
