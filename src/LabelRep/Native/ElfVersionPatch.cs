using System.Text;

namespace LabelRep.Native;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK), so that glibc's
/// loader accepts the library on a system whose libstdc++ lacks that version (docs/toolchain.md, "Loading libtorch": libLibTorchSharp.so
/// needs GLIBCXX_3.4.32 only for a marker symbol that nothing relocates against).
/// </summary>
public static class ElfVersionPatch
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>Outcome of a patch attempt.</summary>
    public enum Result { Patched, AlreadyWeak, NotRequired }

    /// <summary>Sets VER_FLG_WEAK on the Vernaux entry named <paramref name="versionName"/>; idempotent; writes atomically.</summary>
    public static Result MakeWeak(string path, string versionName)
    {
        byte[] elf = File.ReadAllBytes(path);
        int flagsOffset = FindVernauxFlagsOffset(elf, versionName);
        if (flagsOffset < 0) return Result.NotRequired;
        ushort flags = BitConverter.ToUInt16(elf, flagsOffset);
        if ((flags & VerFlagWeak) != 0) return Result.AlreadyWeak;
        BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, flagsOffset);
        string tmp = path + ".patch-" + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(tmp, elf);
        File.Move(tmp, path, overwrite: true);
        return Result.Patched;
    }

    /// <summary>Byte offset of the vna_flags field of the named version requirement, or -1 when absent.</summary>
    public static int FindVernauxFlagsOffset(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            uint type = BitConverter.ToUInt32(elf, sh + 4);
            if (type != ShtGnuVerneed) continue;
            int secOffset = checked((int)BitConverter.ToInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int strSh = checked((int)(shoff + (long)link * shentsize));
            int strOffset = checked((int)BitConverter.ToInt64(elf, strSh + 0x18));

            int vn = secOffset;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(elf, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(elf, vn + 8);
                for (int k = 0; k < cnt; k++)
                {
                    int nameOff = strOffset + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, nameOff) == versionName) return aux + 4;
                    uint nextAux = BitConverter.ToUInt32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, vn + 12);
                if (next == 0) break;
                vn += (int)next;
            }
        }
        return -1;
    }

    private static string ReadCString(byte[] data, int offset)
    {
        int end = Array.IndexOf(data, (byte)0, offset);
        return Encoding.ASCII.GetString(data, offset, end - offset);
    }
}
