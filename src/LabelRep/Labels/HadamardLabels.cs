using TorchSharp;

namespace LabelRep.Labels;

/// <summary>
/// Error-correcting output codes from a Sylvester Hadamard matrix (Verma &amp; Swami, NeurIPS 2019): class c's label is
/// row c + 1 of the ±1 Hadamard matrix of order n (the all-ones row 0 is left out), so the codewords are mutually
/// orthogonal and every two are n/2 bits apart (Euclidean distance √(2n)). Regressed with Smooth-L1; the nearest
/// codeword decides. n = length, by default the smallest power of two above the class count (16 for 10 classes).
/// </summary>
public sealed class HadamardLabels : ILabelKind
{
    public string Name => "hadamard";
    public string Description => "rows of a ±1 Hadamard matrix (length: a power of two above the class count): orthogonal codewords n/2 bits apart";
    public LabelRole Role => LabelRole.Alternative;

    public IReadOnlyDictionary<string, double> Parameters { get; } = new Dictionary<string, double> { ["length"] = 0 };

    public LabelBank Build(LabelContext context)
    {
        int classes = context.Dataset.ClassCount;
        int length = context.Parameters.Integer("length", 0, 4096);
        if (length == 0) length = SmallestPowerOfTwoAbove(classes);
        if ((length & (length - 1)) != 0 || length <= classes)
            throw new LabelRepException($"label '{context.Parameters.Name}': length={length} must be a power of two above the {classes} classes (e.g. {SmallestPowerOfTwoAbove(classes)})");
        float[,] h = Sylvester(length);
        var data = new float[classes * length];
        for (int c = 0; c < classes; c++)
            for (int k = 0; k < length; k++) data[c * length + k] = h[c + 1, k];
        return new LabelBank(context.Parameters.Name, torch.tensor(data, new long[] { classes, length }));
    }

    /// <summary>The Sylvester construction: H₁ = [1], H₂ₙ = [[Hₙ, Hₙ], [Hₙ, −Hₙ]]; entry (i, j) is (−1)^popcount(i AND j).</summary>
    public static float[,] Sylvester(int order)
    {
        var h = new float[order, order];
        for (int i = 0; i < order; i++)
            for (int j = 0; j < order; j++) h[i, j] = System.Numerics.BitOperations.PopCount((uint)(i & j)) % 2 == 0 ? 1f : -1f;
        return h;
    }

    private static int SmallestPowerOfTwoAbove(int n)
    {
        int p = 1;
        while (p <= n) p *= 2;
        return p;
    }
}
