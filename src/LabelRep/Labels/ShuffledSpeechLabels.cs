using LabelRep.Data;
using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// The speech label with its 64 time columns permuted (§3.4): np.random.seed(label seed, default 8) once, then one
/// np.random.shuffle per class, redrawn if it is the identity. Same values as speech, different structure.
/// </summary>
public sealed class ShuffledSpeechLabels : ILabelKind
{
    public string Name => "shuffled-speech";
    public string Description => "speech label with its time columns shuffled (a seeded permutation per class)";
    public string OfficialName => "shuffle";
    public LabelRole Role => LabelRole.HighDimensional;
    public bool DrawnAtRandom => true;

    public LabelBank Build(LabelContext context)
    {
        using var speech = SpeechLabels.Spectrograms(context);
        int[][] perms = Permutations(context.Dataset.ClassCount, context.Options.LabelSeed);
        var rows = new torch.Tensor[perms.Length];
        for (int c = 0; c < perms.Length; c++)
        {
            using var index = torch.tensor(perms[c].Select(i => (long)i).ToArray());
            rows[c] = speech[c].index_select(1, index);
        }
        return new LabelBank(Name, torch.stack(rows));
    }

    public static int[][] Permutations(int classes, int seed)
    {
        var rng = new NumpyRandom((uint)seed);
        var result = new int[classes][];
        for (int c = 0; c < classes; c++)
        {
            int[] perm;
            do
            {
                perm = Enumerable.Range(0, 64).ToArray();
                rng.Shuffle(perm);
            } while (perm.Select((v, i) => v == i).All(x => x));
            result[c] = perm;
        }
        return result;
    }
}
