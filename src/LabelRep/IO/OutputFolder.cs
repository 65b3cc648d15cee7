namespace LabelRep.IO;

/// <summary>A folder the user named for output (a run, a study, an export), created with one clear error when it cannot be.</summary>
public static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> and its parents if missing; a file in its place or a place that cannot hold folders (/proc, a read-only mount) is a <see cref="LabelRepException"/>.</summary>
    public static void Create(string path, string what)
    {
        if (File.Exists(path)) throw new LabelRepException($"{path}: a file, not a folder; choose a folder for the {what}");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new LabelRepException($"{path}: cannot create the {what} folder here ({e.Message.TrimEnd('.')}); choose a writable place");
        }
    }
}
