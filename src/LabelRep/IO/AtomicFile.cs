using System.Text;

namespace LabelRep.IO;

/// <summary>
/// Writes files so that readers see either the old or the whole new content: temporary file, flush, rename. A set of
/// files that belong together is written to temporary files first and renamed only when all of them are complete, so a
/// failed write (a full disk) leaves the old set as it was.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => WriteSet(new[] { (path, write) });

    public static void WriteText(string path, string text) =>
        Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Writes every file of the set to a temporary file, then renames them all into place.</summary>
    public static void WriteSet(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
        var temporaries = new List<(string Temp, string Full)>();
        int renamed = 0;
        foreach (var (path, _) in files)
        {
            if (Directory.Exists(path))
                throw new LabelRepException($"cannot write {Path.GetFullPath(path)}: a folder of that name is in the way; nothing was changed");
        }
        try
        {
            foreach (var (path, write) in files)
            {
                string full = Path.GetFullPath(path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                string tmp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
                temporaries.Add((tmp, full));
                using var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write);
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            foreach (var (tmp, full) in temporaries)
            {
                File.Move(tmp, full, overwrite: true);
                renamed++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string target = temporaries.Count > 0 ? temporaries[Math.Min(renamed, temporaries.Count - 1)].Full : files[0].Path;
            string kept = renamed == 0 ? "nothing was changed" : $"{renamed} of the {files.Count} files were replaced";
            throw new LabelRepException($"cannot write {target} ({e.Message.TrimEnd('.')}); {kept} — free disk space or choose a writable folder");
        }
        finally
        {
            foreach (var (tmp, _) in temporaries)
            {
                try { if (File.Exists(tmp)) File.Delete(tmp); }
                catch (IOException) { }
            }
        }
    }

    /// <summary>A writer of fixed bytes, for <see cref="WriteSet"/>.</summary>
    public static Action<Stream> Bytes(byte[] content) => s => s.Write(content);

    /// <summary>A writer of UTF-8 text, for <see cref="WriteSet"/>.</summary>
    public static Action<Stream> Text(string content) => s => s.Write(Encoding.UTF8.GetBytes(content));
}
