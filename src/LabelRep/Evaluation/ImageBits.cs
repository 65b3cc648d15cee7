namespace LabelRep.Evaluation;

/// <summary>
/// A yes/no per test image (classified correctly, still robust), packed eight to a byte (image i is bit i % 8 of byte
/// i / 8) and written as base64: the per-image results that paired comparisons across runs need.
/// </summary>
public static class ImageBits
{
    public static string Encode(IReadOnlyList<bool> values)
    {
        var bytes = new byte[(values.Count + 7) / 8];
        for (int i = 0; i < values.Count; i++)
            if (values[i]) bytes[i / 8] |= (byte)(1 << (i % 8));
        return Convert.ToBase64String(bytes);
    }

    public static bool[] Decode(string text, int count)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new LabelRepException("per-image results are not base64; the results are damaged");
        }
        if (bytes.Length != (count + 7) / 8) throw new LabelRepException($"per-image results hold {bytes.Length * 8} bits, not {count}; the results are damaged");
        var values = new bool[count];
        for (int i = 0; i < count; i++) values[i] = (bytes[i / 8] & (1 << (i % 8))) != 0;
        return values;
    }
}
