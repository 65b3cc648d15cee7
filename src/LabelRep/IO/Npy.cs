using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LabelRep.IO;

/// <summary>
/// numpy's .npy format, versions 1.0 and 2.0 (3.0 read too): little-endian float32 or float64, C order.
/// Anything else gets an error that names what was found.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Writes float32 data of the given shape, version 1.0 (2.0 if the header needs it), atomically.</summary>
    public static void Write(string path, float[] data, int[] shape) => AtomicFile.Write(path, Writer(data, shape));

    /// <summary>The .npy bytes of <paramref name="data"/>, as a writer (for <see cref="AtomicFile.WriteSet"/>).</summary>
    public static Action<Stream> Writer(float[] data, int[] shape)
    {
        if (shape.Aggregate(1L, (a, d) => a * d) != data.Length) throw new ArgumentException("shape does not match the data length");
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        int prefixV1 = Magic.Length + 2 + 2;
        bool v2 = dict.Length + 1 + prefixV1 > ushort.MaxValue;
        int prefix = v2 ? Magic.Length + 2 + 4 : prefixV1;
        int total = prefix + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        return s =>
        {
            s.Write(Magic);
            s.WriteByte(v2 ? (byte)2 : (byte)1);
            s.WriteByte(0);
            Span<byte> len = stackalloc byte[4];
            if (v2) { BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length); s.Write(len); }
            else { BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length); s.Write(len[..2]); }
            s.Write(Encoding.ASCII.GetBytes(header));
            var bytes = new byte[data.Length * 4];
            for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
            s.Write(bytes);
        };
    }

    /// <summary>Reads a float32/float64 little-endian C-order array as float32 with its shape.</summary>
    public static (float[] Data, int[] Shape) Read(string path)
    {
        byte[] all = InputFile.ReadAllBytes(path, ".npy file", 1L << 30);
        if (all.Length < 10 || !all.AsSpan(0, 6).SequenceEqual(Magic))
            throw new LabelRepException($"{path}: not an .npy file (bad magic); save it with numpy.save");
        int major = all[6];
        int headerLength, offset;
        switch (major)
        {
            case 1: headerLength = BinaryPrimitives.ReadUInt16LittleEndian(all.AsSpan(8)); offset = 10; break;
            case 2:
            case 3:
                if (all.Length < 12) throw new LabelRepException($"{path}: truncated .npy header");
                uint declared = BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(8));
                if (declared > all.Length) throw new LabelRepException($"{path}: truncated .npy header");
                headerLength = (int)declared; offset = 12; break;
            default: throw new LabelRepException($"{path}: .npy format version {major} is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (offset + headerLength > all.Length) throw new LabelRepException($"{path}: truncated .npy header");
        string header = Encoding.Latin1.GetString(all, offset, headerLength);
        string descr = DescrRegex().Match(header) is { Success: true } d ? d.Groups[1].Value
            : throw new LabelRepException($"{path}: .npy header has no 'descr'");
        Match fortran = FortranRegex().Match(header);
        if (!fortran.Success) throw new LabelRepException($"{path}: .npy header has no 'fortran_order'");
        if (fortran.Groups[1].Value == "True")
            throw new LabelRepException($"{path}: the array is in Fortran order; save it with numpy.ascontiguousarray(x) first");
        Match shapeMatch = ShapeRegex().Match(header);
        if (!shapeMatch.Success) throw new LabelRepException($"{path}: .npy header has no 'shape'");
        string[] dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length > 8) throw new LabelRepException($"{path}: .npy array of {dims.Length} dimensions; a label bank has 2 or 3");
        var shape = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (!int.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new LabelRepException($"{path}: .npy shape entry '{dims[i]}' is not a size (a whole number up to {int.MaxValue})");
        }
        int elementSize = descr switch
        {
            "<f4" => 4,
            "<f8" => 8,
            _ => throw new LabelRepException($"{path}: dtype '{descr}' is not supported; labels must be little-endian float32 ('<f4') or float64 ('<f8')"),
        };
        long count = Elements(shape.Select(v => (long)v));
        int dataStart = offset + headerLength;
        long dataBytes = all.Length - dataStart;
        if (count < 0 || dataBytes % elementSize != 0 || count != dataBytes / elementSize)
            throw new LabelRepException($"{path}: expected {(count < 0 ? "more than 2⁶³" : (count * (decimal)elementSize).ToString(CultureInfo.InvariantCulture))} data bytes for shape ({string.Join(", ", shape)}), found {all.Length - dataStart}; the file is truncated or corrupt");
        var data = new float[count];
        var span = all.AsSpan(dataStart);
        for (long i = 0; i < count; i++)
        {
            data[i] = elementSize == 4
                ? BinaryPrimitives.ReadSingleLittleEndian(span[(int)(i * 4)..])
                : (float)BinaryPrimitives.ReadDoubleLittleEndian(span[(int)(i * 8)..]);
        }
        return (data, shape);
    }

    /// <summary>The product of the sizes, or −1 when it overflows (a hostile header; the size check then fails).</summary>
    internal static long Elements(IEnumerable<long> shape)
    {
        try
        {
            return shape.Aggregate(1L, (a, v) => checked(a * v));
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
