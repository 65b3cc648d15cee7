using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using LabelRep.Runs;

namespace LabelRep.Tests.Hostile;

/// <summary>
/// What every hostile case starts from, made once: a small IDX dataset, a trained run with its best weights and an
/// export of it. Each case copies what it needs into a fresh folder and corrupts its copy there.
/// </summary>
public sealed class HostileFixture
{
    public HostileFixture()
    {
        DataDir = TestData.WriteIdxDataset(train: 120, test: 24, gzip: false);
        var config = TestData.TinyConfig(DataDir, "lowdim") with { ValidationCount = 24 };
        Run = TestRuns.Train(config, "hostile-run").Root;
        Model = Path.Combine(TestData.TempDir("hostile-export"), "model");
        LabelRep.Interop.PyTorchExport.Export(new RunDirectory(Run), Model);
    }

    public string DataDir { get; }
    public string Run { get; }
    public string Model { get; }
}

/// <summary>A fresh folder for one case, with copies of the fixture's dataset, run and export on demand.</summary>
public sealed class Workspace
{
    private readonly HostileFixture _fixture;

    public Workspace(HostileFixture fixture, string name)
    {
        _fixture = fixture;
        Root = TestData.TempDir("hostile-" + name);
    }

    public string Root { get; }

    /// <summary>A file a payload would create if anything in a hostile file were executed.</summary>
    public string Marker => Path.Combine(Root, "PWNED");

    public string P(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());

    public string Data() => Copy(_fixture.DataDir, "data");
    public string Run() => Copy(_fixture.Run, "run");
    public string Model() => Copy(_fixture.Model, "model");

    public string Write(string name, byte[] bytes)
    {
        string path = P(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    /// <summary>A named pipe (FIFO) at <paramref name="name"/>: reading it would block forever.</summary>
    public string Fifo(string name)
    {
        string path = P(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path)) File.Delete(path);
        using var p = System.Diagnostics.Process.Start("mkfifo", new[] { path })!;
        p.WaitForExit();
        return path;
    }

    private string Copy(string source, string name)
    {
        string target = P(name);
        if (Directory.Exists(target)) return target;
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    /// <summary>Every regular file under the folder with its SHA-256.</summary>
    public Dictionary<string, string> Snapshot()
    {
        var files = new Dictionary<string, string>();
        foreach (string file in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(file);
            if (info.LinkTarget != null || (info.Attributes & FileAttributes.Device) != 0) continue;
            if (IsFifo(file)) continue;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.None);
                files[file] = Convert.ToHexString(SHA256.HashData(stream));
            }
            catch (IOException)
            {
                files[file] = "unreadable";
            }
        }
        return files;
    }

    private static bool IsFifo(string path)
    {
        try
        {
            LabelRep.IO.InputFile.RequireRegular(path);
            return false;
        }
        catch (LabelRepException)
        {
            return true;
        }
    }

    /// <summary>A .pt file as torch.save writes it (a zip with archive/data.pkl), with the given pickle.</summary>
    public string TorchZip(string name, byte[] pickle, params (string Entry, byte[] Bytes)[] storages)
    {
        string path = P(name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl").Open()) s.Write(pickle);
            foreach (var (entry, bytes) in storages)
                using (var s = zip.CreateEntry("archive/data/" + entry).Open()) s.Write(bytes);
        }
        return path;
    }
}
