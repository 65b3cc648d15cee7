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
                if (Path.Exists(path)) return path; // ReadAll says what is wrong with one that is not a regular file
            }
        }
        throw new LabelRepException(
            $"{dataset}: {names[0]}[.gz] not found in {Path.GetFullPath(dir)}; {hint}");
    }

    /// <summary>The largest dataset file LabelRep reads, compressed or not (CIFAR-100's train.bin is 155 MB).</summary>
    public const long MaxBytes = 2L << 30;

    /// <summary>All bytes of a file, decompressed when it is gzip (by its magic bytes), at most <see cref="MaxBytes"/> either way.</summary>
    public static byte[] ReadAll(string path)
    {
        byte[] raw = IO.InputFile.ReadAllBytes(path, "dataset file", MaxBytes);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var outStream = new MemoryStream();
                var buffer = new byte[1 << 16];
                int read;
                while ((read = gz.Read(buffer)) > 0)
                {
                    if (outStream.Length + read > MaxBytes)
                        throw new LabelRepException($"{path}: decompresses to more than {MaxBytes:N0} bytes; this is not a dataset file LabelRep reads");
                    outStream.Write(buffer, 0, read);
                }
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
