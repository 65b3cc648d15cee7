using System.Runtime.InteropServices;

namespace LabelRep.IO;

/// <summary>
/// Reading a file the user named, safely: it must be a regular file (a FIFO, device or folder is an error, never a
/// hang), and no larger than the caller allows, checked before anything is allocated. Errors name the file.
/// </summary>
public static class InputFile
{
    private const uint FileTypeMask = 0xF000, RegularFile = 0x8000, Directory = 0x4000;

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat(string path, byte[] buffer);

    /// <summary>Throws unless <paramref name="path"/> is a regular file (symbolic links followed).</summary>
    public static void RequireRegular(string path, string what = "file")
    {
        if (!OperatingSystem.IsLinux() || !RuntimeInformation.ProcessArchitecture.Equals(Architecture.X64))
        {
            if (!File.Exists(path)) throw new LabelRepException($"{path}: no such {what}");
            return;
        }
        var buffer = new byte[256]; // struct stat is 144 bytes on x86-64 glibc; st_mode is the 32-bit field at offset 24
        if (Stat(path, buffer) != 0) throw new LabelRepException($"{path}: no such {what}");
        uint mode = BitConverter.ToUInt32(buffer, 24) & FileTypeMask;
        if (mode == Directory) throw new LabelRepException($"{path}: is a folder, not a {what}");
        if (mode != RegularFile) throw new LabelRepException($"{path}: is not a regular file (a pipe, socket or device); give a {what} on disk");
    }

    /// <summary>All bytes of a regular file of at most <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, string what = "file", long maxBytes = 4L << 30)
    {
        RequireRegular(path, what);
        try
        {
            long length = new FileInfo(path).Length;
            if (length > maxBytes || length > Array.MaxLength)
                throw new LabelRepException($"{path}: {length:N0} bytes is more than a {what} can be ({maxBytes:N0} at most)");
            return File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new LabelRepException($"{path}: cannot read ({e.Message})");
        }
        catch (UnauthorizedAccessException)
        {
            throw new LabelRepException($"{path}: permission denied");
        }
    }

    /// <summary>A text file of at most <paramref name="maxBytes"/> (configurations, specs), as UTF-8.</summary>
    public static string ReadAllText(string path, string what = "file", long maxBytes = 64L << 20) =>
        System.Text.Encoding.UTF8.GetString(ReadAllBytes(path, what, maxBytes));
}
