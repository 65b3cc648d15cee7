using System.Buffers.Binary;

namespace LabelRep.IO;

/// <summary>
/// Sets every entry of a zip archive to the same modification time (1980-01-01 00:00, the format's first), in the
/// local headers and the central directory, leaving every other byte as it is (torch.save's archive aligns its data,
/// which rewriting the archive would undo). Two archives of the same content are then the same bytes.
/// </summary>
public static class ZipTimes
{
    private const uint EndSignature = 0x06054b50, CentralSignature = 0x02014b50, LocalSignature = 0x04034b50;
    private const ushort FirstDate = (0 << 9) | (1 << 5) | 1; // 1980, January, 1st

    public static byte[] Fixed(byte[] zip)
    {
        byte[] result = (byte[])zip.Clone();
        Span<byte> z = result;
        int end = -1;
        for (int i = z.Length - 22; i >= Math.Max(0, z.Length - 22 - 65535); i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(z[i..]) == EndSignature) { end = i; break; }
        if (end < 0) throw new InvalidDataException("not a zip archive (no end of central directory)");
        int entries = BinaryPrimitives.ReadUInt16LittleEndian(z[(end + 10)..]);
        uint directory = BinaryPrimitives.ReadUInt32LittleEndian(z[(end + 16)..]);
        // A zip64 archive (over 65,535 entries or 4 GB) keeps its real counts elsewhere: left as it is, times and all.
        if (entries == 0xFFFF || directory == 0xFFFFFFFF) return result;
        int at = (int)directory;
        for (int e = 0; e < entries; e++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(z[at..]) != CentralSignature) throw new InvalidDataException("zip central directory entry expected");
            Stamp(z[(at + 12)..]);
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(z[(at + 42)..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(z[local..]) != LocalSignature) throw new InvalidDataException("zip local header expected");
            Stamp(z[(local + 10)..]);
            at += 46 + BinaryPrimitives.ReadUInt16LittleEndian(z[(at + 28)..]) + BinaryPrimitives.ReadUInt16LittleEndian(z[(at + 30)..])
                  + BinaryPrimitives.ReadUInt16LittleEndian(z[(at + 32)..]);
        }
        return result;
    }

    /// <summary>Time then date, two bytes each.</summary>
    private static void Stamp(Span<byte> field)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(field, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(field[2..], FirstDate);
    }
}
