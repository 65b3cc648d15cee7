using System.IO.Compression;

namespace LabelRep.Data;

/// <summary>Finding and reading (optionally gzipped) dataset files with messages that say what to do.</summary>
internal static class ByteFiles
{
    /// <summary>The first of <paramref name="names"/> (each tried raw and with .gz) that exists in <paramref name="dir"/>.</summary>
    public static string Find(string dir, string dataset, string hint, params string[] names)
    {
        foreach (string name in names)
        {
            foreach (string candidate in new[] { name, name + ".gz" })
            {
                string path = Path.Combine(dir, candidate);
                if (File.Exists(path)) return path;
            }
        }
        throw new LabelRepException(
            $"{dataset}: {names[0]}[.gz] not found in {Path.GetFullPath(dir)}; {hint}");
    }

    /// <summary>All bytes of a file, decompressed when it is gzip (by its magic bytes).</summary>
    public static byte[] ReadAll(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var outStream = new MemoryStream();
                gz.CopyTo(outStream);
                return outStream.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new LabelRepException($"{path}: corrupt or truncated gzip data ({e.Message}); download the file again");
            }
        }
        return raw;
    }
}
