using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace LabelRep.IO;

/// <summary>
/// Writes files so that readers see either the old or the whole new content: temporary file, flush, rename. A set of
/// files that belong together is written to temporary files first and renamed only when all of them are complete, so a
/// failed write (a full disk) leaves the old set as it was. A writer killed mid-write (kill -9, a lost node) leaves its
/// temporary file behind; the first write of a later process into that folder removes such orphans, those named for
/// this host whose process is gone.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// This host in temporary names (8 hex digits of its name's SHA-256: short, and the same in every process), so that
    /// a folder shared between machines is swept only of this machine's orphans.
    /// </summary>
    private static readonly string Host = HostTag(Environment.MachineName);

    internal static string HostTag(string machine) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(machine)), 0, 4).ToLowerInvariant();

    /// <summary>Folders this process has swept of orphans (once each; writers killed while it runs are swept by the next process).</summary>
    private static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

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
                string folder = Path.GetDirectoryName(full)!;
                Directory.CreateDirectory(folder);
                if (Swept.TryAdd(folder, true)) RemoveOrphans(folder);
                string tmp = $"{full}.{Host}-{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || TooLarge(e))
        {
            string target = temporaries.Count > 0 ? temporaries[Math.Min(renamed, temporaries.Count - 1)].Full : files[0].Path;
            string kept = renamed == 0 ? "nothing was changed" : $"{renamed} of the {files.Count} files were replaced";
            throw new LabelRepException(TooLarge(e)
                ? $"cannot write {target}: the file would pass the file-size limit (ulimit -f) or the file system's largest file; {kept}"
                : $"cannot write {target} ({e.Message.TrimEnd('.')}); {kept} — free disk space or choose a writable folder");
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

    /// <summary>A write past the file-size limit: .NET reports EFBIG as an ArgumentOutOfRangeException of the stream's length.</summary>
    private static bool TooLarge(Exception e) => e is ArgumentOutOfRangeException { ParamName: "value" } && e.Message.Contains("file system", StringComparison.Ordinal);

    /// <summary>
    /// Deletes the temporary files in <paramref name="folder"/> that a writer on this host left when it was killed:
    /// named "FILE.HOST-PID.GUID.tmp" (HOST: <see cref="HostTag"/>) with this host and a process id that no longer runs.
    /// A live process's temporaries, other hosts' and every other file are kept; a folder it cannot list is left alone.
    /// </summary>
    private static void RemoveOrphans(string folder)
    {
        string mine = Host + "-";
        try
        {
            foreach (string path in Directory.EnumerateFiles(folder, "*.tmp"))
            {
                string[] parts = Path.GetFileName(path)[..^".tmp".Length].Split('.');
                if (parts.Length < 3 || parts[^1].Length != 32 || !parts[^1].All(char.IsAsciiHexDigitLower)) continue;
                string writer = parts[^2];
                if (!writer.StartsWith(mine, StringComparison.Ordinal) || !int.TryParse(writer[mine.Length..], out int pid) || pid <= 0) continue;
                if (pid == Environment.ProcessId || IsRunning(pid)) continue;
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }

    /// <summary>A writer of fixed bytes, for <see cref="WriteSet"/>.</summary>
    public static Action<Stream> Bytes(byte[] content) => s => s.Write(content);

    /// <summary>A writer of UTF-8 text, for <see cref="WriteSet"/>.</summary>
    public static Action<Stream> Text(string content) => s => s.Write(Encoding.UTF8.GetBytes(content));
}
