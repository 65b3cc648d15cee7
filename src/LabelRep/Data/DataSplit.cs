namespace LabelRep.Data;

/// <summary>
/// The paper's split (docs/protocols.md §2, §8): a seeded permutation of the training file; the first
/// <c>validationCount</c> indices are the validation set and the training set is the prefix of the rest holding
/// floor(N·fraction) images (all of the rest at fraction 1). For one seed a smaller fraction is a subset of a larger one.
/// </summary>
public sealed record DataSplit(int[] Validation, int[] Train)
{
    public static DataSplit Create(int total, int validationCount, double fraction, int seed)
    {
        if (fraction <= 0 || fraction > 1)
            throw new LabelRepException($"--fraction {fraction}: must be in (0, 1], e.g. 0.01 for 1% of the training data");
        if (validationCount >= total)
            throw new LabelRepException($"a validation hold-out of {validationCount} leaves nothing to train on ({total} training images)");
        int[] perm = NumpyRandom.Permutation(total, seed);
        int rest = total - validationCount;
        int count = fraction >= 1 ? rest : Math.Min(rest, (int)Math.Floor(total * fraction));
        if (count < 2)
            throw new LabelRepException($"--fraction {fraction} of {total} images leaves {count} training image(s); training needs at least 2 (a batch of one cannot be normalized); use a larger fraction");
        return new DataSplit(perm[..validationCount], perm[validationCount..(validationCount + count)]);
    }
}
