using System.Buffers.Binary;
using System.Text;
using LabelRep.IO;

namespace LabelRep.Tests.Hostile;

/// <summary>
/// One hostile input: how to make it in a fresh workspace, the command that reads it, and what the one-line error must
/// name (the file or the option). <see cref="Succeeds"/>: a valid input that must be accepted (and still harm nothing).
/// </summary>
public sealed record HostileCase(string Kind, string Name, Func<Workspace, (string[] Args, string Mention)> Make, bool Succeeds = false)
{
    public override string ToString() => $"{Kind}: {Name}";
}

/// <summary>The corpus: several hundred hostile or corrupt inputs across every kind of input LabelRep reads.</summary>
public static class HostileCorpus
{
    public static IEnumerable<HostileCase> All() =>
        Idx().Concat(Cifar()).Concat(Npy()).Concat(Wav()).Concat(RunFolders()).Concat(Tensors()).Concat(PyTorchFiles())
            .Concat(Specs()).Concat(Databases()).Concat(Arguments()).Concat(ImageFolders()).Concat(Writes());

    /// <summary>A tiny training command; options in <paramref name="extra"/> (pairs) replace the defaults.</summary>
    private static string[] Train(Workspace w, string data, params string[] extra)
    {
        var options = new List<(string, string)> { ("--data-dir", data), ("--epochs", "1"), ("--val-count", "24"), ("--batch-size", "16"), ("--out", w.P("out")) };
        for (int i = 0; i + 1 < extra.Length; i += 2)
        {
            options.RemoveAll(o => o.Item1 == extra[i]);
            options.Add((extra[i], extra[i + 1]));
        }
        return new[] { "train" }.Concat(options.SelectMany(o => new[] { o.Item1, o.Item2 })).ToArray();
    }

    private static string[] Stats(Workspace w, string data, params string[] extra) =>
        new[] { "labels", "stats", "--data-dir", data }.Concat(extra).ToArray();

    // ---- IDX dataset files (Fashion-MNIST layout) ----
    private static IEnumerable<HostileCase> Idx()
    {
        string[] files = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };
        foreach (string f in files)
        {
            HostileCase Case(string name, Func<byte[], byte[]> corrupt) => new("idx", $"{f} {name}", w =>
            {
                string data = w.Data();
                string path = Path.Combine(data, f);
                File.WriteAllBytes(path, corrupt(File.ReadAllBytes(path)));
                return (Train(w, data), path);
            });
            yield return Case("empty", _ => Array.Empty<byte>());
            yield return Case("3 bytes", b => b[..3]);
            yield return Case("bad magic", b => { b[2] = 9; return b; });
            yield return Case("wrong rank", b => { b[3] = (byte)(b[3] == 1 ? 3 : 1); return b; });
            yield return Case("truncated header", b => b[..6]);
            yield return Case("truncated data", b => b[..(b.Length - 5)]);
            yield return Case("extra data", b => b.Concat(new byte[7]).ToArray());
            yield return Case("huge count", b => { BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), int.MaxValue); return b; });
            yield return Case("negative count", b => { BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), -5); return b; });
            yield return Case("gzip magic then garbage", b => new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6 });
            yield return new("idx", $"{f} is a FIFO", w =>
            {
                string data = w.Data();
                File.Delete(Path.Combine(data, f));
                return (Train(w, data), w.Fifo(Path.Combine("data", f)));
            });
            yield return new("idx", $"{f} is a folder", w =>
            {
                string data = w.Data();
                File.Delete(Path.Combine(data, f));
                Directory.CreateDirectory(Path.Combine(data, f));
                return (Train(w, data), Path.Combine(data, f));
            });
        }
        yield return new("idx", "labels out of range", w =>
        {
            string data = w.Data();
            string path = Path.Combine(data, "train-labels-idx1-ubyte");
            byte[] b = File.ReadAllBytes(path);
            b[^1] = 200;
            File.WriteAllBytes(path, b);
            return (Train(w, data), path);
        });
        yield return new("idx", "images 27x27", w =>
        {
            string data = w.Data();
            string path = Path.Combine(data, "t10k-images-idx3-ubyte");
            File.WriteAllBytes(path, TestData.IdxBytes(new byte[24 * 27 * 27], 24, 27, 27));
            return (Train(w, data), path);
        });
        yield return new("idx", "label count differs from image count", w =>
        {
            string data = w.Data();
            string path = Path.Combine(data, "t10k-labels-idx1-ubyte");
            File.WriteAllBytes(path, TestData.IdxBytes(new byte[23], 23));
            return (Train(w, data), path);
        });
        yield return new("idx", "gzip that decompresses to garbage size", w =>
        {
            string data = w.Data();
            string path = Path.Combine(data, "t10k-labels-idx1-ubyte");
            File.Delete(path);
            TestData.WriteFile(path, new byte[5000], gzip: true);
            return (Train(w, data), path + ".gz");
        });
        yield return new("idx", "missing folder", w => (Train(w, w.P("nothing-here")), w.P("nothing-here")));
    }

    // ---- CIFAR binary files ----
    private static IEnumerable<HostileCase> Cifar()
    {
        HostileCase Case(string name, Func<Workspace, string, string> make) => new("cifar", name, w =>
        {
            string dir = w.P("cifar");
            Directory.CreateDirectory(dir);
            foreach (string f in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
                File.WriteAllBytes(Path.Combine(dir, f), Record(f.Length % 10, 4));
            string mention = make(w, dir);
            return (new[] { "train", "--dataset", "cifar10", "--data-dir", dir, "--epochs", "1", "--val-count", "2", "--out", w.P("out") }, mention);
        });
        yield return Case("record size off by one", (w, d) => Rewrite(Path.Combine(d, "data_batch_3.bin"), b => b[..^1]));
        yield return Case("label 10 in CIFAR-10", (w, d) => Rewrite(Path.Combine(d, "test_batch.bin"), b => { b[0] = 10; return b; }));
        yield return Case("empty batch", (w, d) => Rewrite(Path.Combine(d, "data_batch_1.bin"), _ => Array.Empty<byte>()));
        yield return Case("missing batch", (w, d) => { File.Delete(Path.Combine(d, "data_batch_5.bin")); return "data_batch_5.bin"; });
        yield return Case("batch is a FIFO", (w, d) => { File.Delete(Path.Combine(d, "data_batch_2.bin")); return w.Fifo(Path.Combine("cifar", "data_batch_2.bin")); });
        yield return Case("corrupt gzip batch", (w, d) =>
        {
            File.Delete(Path.Combine(d, "test_batch.bin"));
            return w.Write(Path.Combine("cifar", "test_batch.bin.gz"), new byte[] { 0x1f, 0x8b, 8, 0, 9, 9, 9 });
        });
    }

    private static byte[] Record(int label, int count)
    {
        var bytes = new byte[count * 3073];
        for (int i = 0; i < count; i++) bytes[i * 3073] = (byte)((label + i) % 10);
        return bytes;
    }

    private static string Rewrite(string path, Func<byte[], byte[]> change)
    {
        File.WriteAllBytes(path, change(File.ReadAllBytes(path)));
        return path;
    }

    // ---- .npy label banks ----
    private static byte[] NpyBytes(string header, byte[] data, byte major = 1)
    {
        byte[] h = Encoding.Latin1.GetBytes(header);
        var b = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        if (major == 1) b.AddRange(BitConverter.GetBytes((ushort)h.Length));
        else b.AddRange(BitConverter.GetBytes((uint)h.Length));
        b.AddRange(h);
        b.AddRange(data);
        return b.ToArray();
    }

    private static byte[] Floats(int count, Func<int, float> value) => Enumerable.Range(0, count).SelectMany(i => BitConverter.GetBytes(value(i))).ToArray();

    private static IEnumerable<HostileCase> Npy()
    {
        HostileCase Case(string name, Func<byte[]> bytes) => new("npy", name, w =>
        {
            string path = w.Write("bank.npy", bytes());
            return (Stats(w, w.Data(), "--kinds", "random", "--labels", path), path);
        });
        string H(string descr, string shape, string fortran = "False") => $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}\n";
        yield return Case("empty", () => Array.Empty<byte>());
        yield return Case("bad magic", () => Encoding.ASCII.GetBytes("not numpy at all"));
        yield return Case("version 9", () => NpyBytes(H("<f4", "(10, 4)"), Floats(40, i => i), major: 9));
        yield return Case("header length beyond the file", () => { byte[] b = NpyBytes(H("<f4", "(10, 4)"), Floats(40, i => i)); b[8] = 0xff; b[9] = 0xff; return b; });
        yield return Case("v2 header length 4 GB", () => { byte[] b = NpyBytes(H("<f4", "(10, 4)"), Floats(40, i => i), major: 2); b[8] = b[9] = b[10] = b[11] = 0xff; return b; });
        yield return Case("no descr", () => NpyBytes("{'fortran_order': False, 'shape': (10, 4), }\n", Floats(40, i => i)));
        yield return Case("no shape", () => NpyBytes("{'descr': '<f4', 'fortran_order': False, }\n", Floats(40, i => i)));
        yield return Case("object dtype (a pickle inside)", () => NpyBytes(H("|O", "(10, 4)"), Encoding.ASCII.GetBytes("cos\nsystem\n(S'touch PWNED'\ntR.")));
        foreach (string d in new[] { "<i4", ">f4", "<f2", "|u1", "<c8", "<U8", "|b1" })
            yield return Case($"dtype {d}", () => NpyBytes(H(d, "(10, 4)"), new byte[160]));
        yield return Case("fortran order", () => NpyBytes(H("<f4", "(10, 4)", "True"), Floats(40, i => i)));
        foreach (string shape in new[] { "(99999999999, 4)", "(-10, 4)", "(10, -4)", "(10, 4.5)", "(10, x)", "(2147483647, 2147483647)", "(10, 1e9)", "()", "(10,)", "(10, 4, 4, 4)", "(10, 4, 4, 4, 4, 4, 4, 4, 4, 4)", "(0, 4)", "(10, 0)" })
            yield return Case($"shape {shape}", () => NpyBytes(H("<f4", shape), Floats(40, i => i)));
        yield return Case("truncated data", () => NpyBytes(H("<f4", "(10, 4)"), Floats(39, i => i)));
        yield return Case("extra data", () => NpyBytes(H("<f4", "(10, 4)"), Floats(41, i => i)));
        yield return Case("a NaN", () => NpyBytes(H("<f4", "(10, 4)"), Floats(40, i => i == 17 ? float.NaN : i)));
        yield return Case("an infinity", () => NpyBytes(H("<f8", "(10, 4)"), Enumerable.Range(0, 40).SelectMany(i => BitConverter.GetBytes(i == 3 ? double.PositiveInfinity : i)).ToArray()));
        yield return Case("two classes with the same label", () => NpyBytes(H("<f4", "(10, 4)"), Floats(40, i => i < 8 ? i % 4 : i)));
        yield return Case("two classes other than the first with the same label", () => NpyBytes(H("<f4", "(10, 4)"), Floats(40, i => i is >= 12 and < 16 ? i - 4 : i)));
        yield return Case("labels of 70,000 values each (the head would not fit)", () => NpyBytes(H("<f4", "(10, 70000)"), Floats(700000, i => i)));
        yield return Case("9 classes for a 10-class dataset", () => NpyBytes(H("<f4", "(9, 4)"), Floats(36, i => i)));
        yield return Case("40x40 label images", () => NpyBytes(H("<f4", "(10, 40, 40)"), Floats(16000, i => i)));
        yield return Case("64x32 label images", () => NpyBytes(H("<f4", "(10, 64, 32)"), Floats(20480, i => i)));
        yield return new("npy", "bank is a FIFO", w => (Stats(w, w.Data(), "--kinds", "random", "--labels", w.Fifo("bank.npy")), "bank.npy"));
        yield return new("npy", "bank is a folder", w =>
        {
            Directory.CreateDirectory(w.P("bank.npy"));
            return (Stats(w, w.Data(), "--kinds", "random", "--labels", w.P("bank.npy")), w.P("bank.npy"));
        });
        yield return new("npy", "bank does not exist", w => (Stats(w, w.Data(), "--kinds", "random", "--labels", w.P("none.npy")), w.P("none.npy")));
        yield return new("npy", "a NaN bank trains nothing", w =>
        {
            string path = w.Write("bank.npy", NpyBytes(H("<f4", "(10, 10)"), Floats(100, i => i == 5 ? float.NaN : i)));
            return (Train(w, w.Data(), "--label", "lowdim", "--labels", path), path);
        });
    }

    // ---- WAV recordings for speech labels ----
    private static byte[] WavBytes(int format, int channels, int rate, int bits, byte[] data, uint? dataSize = null, bool fmtFirst = true)
    {
        var fmt = new List<byte>();
        fmt.AddRange(Encoding.ASCII.GetBytes("fmt "));
        fmt.AddRange(BitConverter.GetBytes(16));
        fmt.AddRange(BitConverter.GetBytes((short)format));
        fmt.AddRange(BitConverter.GetBytes((short)channels));
        fmt.AddRange(BitConverter.GetBytes(rate));
        fmt.AddRange(BitConverter.GetBytes(rate * Math.Max(1, channels) * Math.Max(1, bits / 8)));
        fmt.AddRange(BitConverter.GetBytes((short)(Math.Max(1, channels) * Math.Max(1, bits / 8))));
        fmt.AddRange(BitConverter.GetBytes((short)bits));
        var dat = new List<byte>();
        dat.AddRange(Encoding.ASCII.GetBytes("data"));
        dat.AddRange(BitConverter.GetBytes(dataSize ?? (uint)data.Length));
        dat.AddRange(data);
        var body = fmtFirst ? fmt.Concat(dat) : dat.Concat(fmt);
        return Encoding.ASCII.GetBytes("RIFF").Concat(BitConverter.GetBytes(4 + fmt.Count + dat.Count)).Concat(Encoding.ASCII.GetBytes("WAVE")).Concat(body).ToArray();
    }

    private static byte[] Tone(int samples) => Enumerable.Range(0, samples).SelectMany(i => BitConverter.GetBytes((short)(8000 * Math.Sin(i * 0.2)))).ToArray();

    private static IEnumerable<HostileCase> Wav()
    {
        // A folder of recordings named by class index; class 3's is the hostile one, the others are fine tones.
        HostileCase Case(string name, Func<byte[]> bytes, bool succeeds = false) => new("wav", name, w =>
        {
            string dir = w.P("audio");
            Directory.CreateDirectory(dir);
            for (int c = 0; c < 10; c++) File.WriteAllBytes(Path.Combine(dir, $"{c}.wav"), WavBytes(1, 1, 22050, 16, Tone(8000 + 500 * c)));
            string path = Path.Combine(dir, "3.wav");
            File.WriteAllBytes(path, bytes());
            return (Stats(w, w.Data(), "--kinds", "speech", "--audio-dir", dir), path);
        }, succeeds);
        yield return Case("empty", () => Array.Empty<byte>());
        yield return Case("not RIFF", () => Encoding.ASCII.GetBytes("ID3 this is an mp3 of sorts"));
        yield return Case("RIFF but not WAVE", () => Encoding.ASCII.GetBytes("RIFF\x10\0\0\0AVI LIST"));
        yield return Case("no data chunk", () => WavBytes(1, 1, 22050, 16, Tone(100))[..36]);
        yield return Case("data before format", () => WavBytes(1, 1, 22050, 16, Tone(4000), fmtFirst: false));
        yield return Case("ADPCM", () => WavBytes(2, 1, 22050, 4, new byte[4000]));
        yield return Case("12-bit PCM", () => WavBytes(1, 1, 22050, 12, new byte[4000]));
        yield return Case("0 channels", () => WavBytes(1, 0, 22050, 16, Tone(4000)));
        yield return Case("300 channels", () => WavBytes(1, 300, 22050, 16, Tone(6000)));
        yield return Case("0 Hz", () => WavBytes(1, 1, 0, 16, Tone(4000)));
        yield return Case("negative rate", () => WavBytes(1, 1, -22050, 16, Tone(4000)));
        yield return Case("silence", () => WavBytes(1, 1, 22050, 16, new byte[8000]));
        yield return Case("no samples", () => WavBytes(1, 1, 22050, 16, Array.Empty<byte>()));
        yield return Case("float NaN samples", () => WavBytes(3, 1, 22050, 32, Floats(4000, i => i % 7 == 0 ? float.NaN : 0.1f)));
        yield return Case("float infinities", () => WavBytes(3, 1, 22050, 32, Floats(4000, i => float.PositiveInfinity)));
        yield return Case("truncated format chunk", () => WavBytes(1, 1, 22050, 16, Tone(4000))[..30]);
        yield return Case("streaming size 0x7FFFFFFF (valid)", () => WavBytes(1, 1, 22050, 16, Tone(9500), dataSize: 0x7FFFFFFF), succeeds: true); // class 3's own tone: class 0 has Tone(8000)
        yield return Case("streaming size 0xFFFFFFFF (valid)", () => WavBytes(1, 1, 22050, 16, Tone(9500), dataSize: 0xFFFFFFFF), succeeds: true);
        yield return new("wav", "recording is a FIFO", w =>
        {
            string dir = w.P("audio");
            Directory.CreateDirectory(dir);
            for (int c = 0; c < 10; c++) if (c != 3) File.WriteAllBytes(Path.Combine(dir, $"{c}.wav"), WavBytes(1, 1, 22050, 16, Tone(8000 + 500 * c)));
            return (Stats(w, w.Data(), "--kinds", "speech", "--audio-dir", dir), w.Fifo(Path.Combine("audio", "3.wav")));
        });
        yield return new("wav", "a recording is missing", w =>
        {
            string dir = w.P("audio");
            Directory.CreateDirectory(dir);
            return (Stats(w, w.Data(), "--kinds", "speech", "--audio-dir", dir), dir);
        });
        yield return new("wav", "a voice that is an option", w => (Stats(w, w.Data(), "--kinds", "speech", "--voice", "-w" + w.P("PWNED")), "--voice"));
        yield return new("wav", "an unknown voice", w => (Stats(w, w.Data(), "--kinds", "speech", "--voice", "zz-nope"), "zz-nope"));
    }

    // ---- run folders: config.json, checkpoint.json, metrics.json ----
    private static IEnumerable<HostileCase> RunFolders()
    {
        HostileCase Config(string name, Func<string, string> change, string command = "evaluate") => new("run", $"config.json {name} ({command})", w =>
        {
            string run = w.Run();
            string path = Path.Combine(run, "config.json");
            File.WriteAllText(path, change(File.ReadAllText(path)));
            return (command == "evaluate" ? new[] { "evaluate", "--run", run } : new[] { "attack", "--run", run, "--eps", "0,1/255", "--limit", "4" }, path);
        });
        // A sweep's resume journal that is not this attack's: refused with how to start over, never reused.
        foreach (var (name, content, mention) in new[]
                 {
                     ("garbage", "\u0000\u00ff not a journal", "not a LabelRep attack journal"), ("empty", "", "not a LabelRep attack journal"),
                     ("another attack's", "labelrep-attack-journal 1 0123456789ABCDEF01234567\n", "another request"),
                     ("a newer format", "labelrep-attack-journal 9 0123456789ABCDEF01234567\n", "another request"),
                 })
            yield return new("resume journal", $"attack with a {name} journal", w =>
            {
                string run = w.Run();
                File.WriteAllText(Path.Combine(run, "attacks-standard.journal"), content);
                return (new[] { "attack", "--run", run, "--eps", "0,1/255", "--limit", "4", "--attacks", "fgsm" }, mention);
            });
        foreach (string command in new[] { "evaluate", "attack" })
        {
            yield return Config("empty", _ => "", command);
            yield return Config("null", _ => "null", command);
            yield return Config("an array", _ => "[]", command);
            yield return Config("not JSON", _ => "{ dataset: fashion", command);
            yield return Config("null dataset", j => Field(j, "dataset", "null"), command);
            yield return Config("null model", j => Field(j, "model", "null"), command);
            yield return Config("null label", j => Field(j, "label", "null"), command);
            yield return Config("null voice", j => Field(j, "voice", "null"), command);
            yield return Config("null milestones", j => Field(j, "milestones", "null"), command);
            yield return Config("epochs a string", j => Field(j, "epochs", "\"many\""), command);
            yield return Config("epochs -3", j => Field(j, "epochs", "-3"), command);
            yield return Config("batch size 1", j => Field(j, "batch_size", "1"), command);
            yield return Config("learning rate 0", j => Field(j, "learning_rate", "0"), command);
            yield return Config("fraction 7", j => Field(j, "fraction", "7"), command);
            yield return Config("unknown model", j => Field(j, "model", "\"resnet9000\""), command);
            yield return Config("unknown label", j => Field(j, "label", "\"glove\""), command);
            yield return Config("unknown dataset", j => Field(j, "dataset", "\"imagenet\""), command);
            yield return Config("seed 1e30", j => Field(j, "seed", "1e30"), command);
        }
        yield return new("run", "config.json is a FIFO", w =>
        {
            string run = w.Run();
            File.Delete(Path.Combine(run, "config.json"));
            return (new[] { "evaluate", "--run", run }, w.Fifo(Path.Combine("run", "config.json")));
        });
        HostileCase Checkpoint(string name, Func<string, string> change, string? mention = null) => new("run", $"checkpoint.json {name}", w =>
        {
            string run = w.Run();
            string path = Path.Combine(run, "checkpoint.json");
            File.WriteAllText(path, change(File.ReadAllText(path)));
            var config = LabelRep.Runs.TrainConfig.Read(Path.Combine(run, "config.json"));
            return (new[] { "train", "--data-dir", config.DataDir!, "--label", "lowdim", "--epochs", config.Epochs.ToString(), "--val-count", "24", "--batch-size", "32",
                "--seed", config.Seed.ToString(), "--threads", "2", "--out", run, "--resume" }, mention ?? path);
        });
        yield return Checkpoint("negative epochs", j => Field(j, "epochs_completed", "-1"));
        yield return Checkpoint("epochs beyond the run", j => Field(j, "epochs_completed", "99"));
        yield return Checkpoint("null history", j => Field(j, "history", "null"));
        yield return Checkpoint("weights outside the run", j => Field(j, "weights", "\"../../etc/passwd\""));
        yield return Checkpoint("weights not a file of the run", j => Field(j, "weights", "\"missing.safetensors\""), "missing.safetensors");
        yield return Checkpoint("another configuration", j => Field(j, "config_hash", "\"0000000000000000\""));
        yield return Checkpoint("not JSON", _ => "{{{");
        yield return Checkpoint("null", _ => "null");
        yield return Checkpoint("NaN seconds", j => Field(j, "train_seconds", "\"NaN\""));
        HostileCase Metrics(string name, Func<string, string> change) => new("run", $"metrics.json {name}", w =>
        {
            string run = w.Run();
            string path = Path.Combine(run, "metrics.json");
            File.WriteAllText(path, change(File.ReadAllText(path)));
            return (new[] { "evaluate", "--run", run }, path);
        });
        yield return Metrics("null", _ => "null");
        yield return Metrics("null dataset", j => Field(j, "dataset", "null"));
        yield return Metrics("test accuracy a string", j => Field(j, "test_accuracy", "\"high\""));
        yield return Metrics("not JSON", _ => "]");
        yield return new("run", "labels.npy corrupt", w =>
        {
            string run = w.Run();
            string path = Path.Combine(run, "labels.npy");
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);
            return (new[] { "evaluate", "--run", run }, path);
        });
        yield return new("run", "no run here", w => (new[] { "evaluate", "--run", w.Root }, w.Root));
        // A run still training (or stopped mid-way) has a checkpoint and no metrics.json yet: its best weights will change.
        yield return new("run", "attack a run that has not finished training", w =>
        {
            string run = w.Run();
            File.Delete(Path.Combine(run, "metrics.json"));
            return (new[] { "attack", "--run", run, "--limit", "4" }, "has not finished training");
        });
    }

    /// <summary>Replaces the value of a top-level JSON field.</summary>
    private static string Field(string json, string name, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node[name] = System.Text.Json.Nodes.JsonNode.Parse(value);
        return node.ToJsonString();
    }

    // ---- safetensors weights ----
    private static IEnumerable<HostileCase> Tensors()
    {
        HostileCase Case(string name, Func<byte[], byte[]> change) => new("safetensors", name, w =>
        {
            string run = w.Run();
            string path = Path.Combine(run, "best.safetensors");
            File.WriteAllBytes(path, change(File.ReadAllBytes(path)));
            return (new[] { "evaluate", "--run", run }, path);
        });
        byte[] Header(string json, int dataBytes = 0)
        {
            byte[] h = Encoding.UTF8.GetBytes(json);
            return BitConverter.GetBytes((ulong)h.Length).Concat(h).Concat(new byte[dataBytes]).ToArray();
        }
        yield return Case("empty", _ => Array.Empty<byte>());
        yield return Case("7 bytes", b => b[..7]);
        yield return Case("header length 0", b => { BinaryPrimitives.WriteUInt64LittleEndian(b, 0); return b; });
        yield return Case("header length 2^63", b => { BinaryPrimitives.WriteUInt64LittleEndian(b, 1UL << 63); return b; });
        yield return Case("header length beyond the file", b => { BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)b.Length); return b; });
        yield return Case("header null", _ => Header("null"));
        yield return Case("header []", _ => Header("[]"));
        yield return Case("header not JSON", _ => Header("{{{{"));
        yield return Case("entry null", _ => Header("{\"a\": null}"));
        yield return Case("entry without shape", _ => Header("{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4));
        yield return Case("negative shape", _ => Header("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1, 4], \"data_offsets\": [0, 16]}}", 16));
        yield return Case("shape does not match the bytes", _ => Header("{\"a\": {\"dtype\": \"F32\", \"shape\": [100, 100], \"data_offsets\": [0, 16]}}", 16));
        yield return Case("shape overflows", _ => Header("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 16]}}", 16));
        yield return Case("offsets beyond the file", _ => Header("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 1600]}}", 16));
        yield return Case("offsets reversed", _ => Header("{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [16, 0]}}", 16));
        yield return Case("unknown dtype", _ => Header("{\"a\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4));
        yield return Case("tensors of another model", _ => Header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4));
        yield return Case("truncated data", b => b[..(b.Length - 100)]);
    }

    // ---- PyTorch files for import ----
    private static byte[] Pickle(string module, string function, string argument) =>
        new byte[] { 0x80, 0x02, (byte)'c' }.Concat(Encoding.ASCII.GetBytes($"{module}\n{function}\n")).Append((byte)'X')
            .Concat(BitConverter.GetBytes(Encoding.UTF8.GetByteCount(argument))).Concat(Encoding.UTF8.GetBytes(argument))
            .Concat(new byte[] { 0x85, (byte)'R', (byte)'.' }).ToArray();

    private static IEnumerable<HostileCase> PyTorchFiles()
    {
        string[] Import(Workspace w, string file) => new[]
        {
            "import", "--pytorch", file, "--model", "smallcnn", "--label", "lowdim", "--dataset", "fashion-mnist", "--data-dir", w.Data(),
            "--val-count", "24", "--out", w.P("imported"),
        };
        HostileCase Case(string name, Func<Workspace, string> make) => new("pytorch", name, w =>
        {
            string file = make(w);
            return (Import(w, file), file);
        });
        yield return Case("empty file", w => w.Write("m.pt", Array.Empty<byte>()));
        yield return Case("random bytes", w => w.Write("m.pt", Enumerable.Range(0, 999).Select(i => (byte)(i * 37)).ToArray()));
        yield return Case("a zip without data.pkl", w =>
        {
            string path = w.P("m.pt");
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
            zip.CreateEntry("archive/version");
            return path;
        });
        foreach (var (module, function) in new[] { ("os", "system"), ("posix", "system"), ("subprocess", "getoutput"), ("builtins", "eval"), ("builtins", "exec") })
        {
            yield return Case($"zip pickle calling {module}.{function}", w => w.TorchZip("m.pt", Pickle(module, function, $"open('{w.Marker}', 'w').write('x')" is var py && function is "eval" or "exec" ? py : $"touch {w.Marker}")));
            yield return Case($"legacy pickle calling {module}.{function}", w => w.Write("m.pt", Pickle(module, function, function is "eval" or "exec" ? $"open('{w.Marker}', 'w').write('x')" : $"touch {w.Marker}")));
        }
        yield return Case("a pickle of a list", w => w.TorchZip("m.pt", new byte[] { 0x80, 0x02, (byte)']', (byte)'.' }));
        yield return Case("a pickle of an empty dict", w => w.TorchZip("m.pt", new byte[] { 0x80, 0x02, (byte)'}', (byte)'.' }));
        yield return Case("truncated pickle", w => w.TorchZip("m.pt", new byte[] { 0x80, 0x02, (byte)'}' }));
        yield return Case("the export cut in half", w =>
        {
            byte[] b = File.ReadAllBytes(Path.Combine(w.Model(), "state_dict.pt"));
            return w.Write("m.pt", b[..(b.Length / 2)]);
        });
        yield return Case("is a FIFO", w => w.Fifo("m.pt"));
        yield return Case("does not exist", w => w.P("missing.pt"));
        yield return new("pytorch", "another architecture", w =>
        {
            string file = Path.Combine(w.Model(), "state_dict.pt");
            var args = Import(w, file);
            args[Array.IndexOf(args, "smallcnn")] = "resnet20";
            return (args, file);
        });
    }

    // ---- study specs ----
    private static IEnumerable<HostileCase> Specs()
    {
        HostileCase Case(string name, string ext, Func<Workspace, string> text, string? mention = null) => new("spec", $"{name} ({ext})", w =>
        {
            string path = w.Write("spec." + ext, text(w));
            return (new[] { "study", "--spec", path, "--out", w.P("study") }, mention ?? path);
        });
        string Base(Workspace w) => $"name: s\ndata_dir: {w.Data()}\nlabels: [categorical]\nepochs: 1\nvalidation_count: 24\nattack: {{ protocols: [] }}\ntsne_images: 0\n";
        yield return Case("billion laughs", "yaml", _ => "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n");
        yield return Case("one alias", "yaml", w => Base(w) + "seeds: &s [1]\nfractions: *s\n");
        yield return Case("python tag", "yaml", w => Base(w) + $"description: !!python/object/apply:os.system [\"touch {w.Marker}\"]\n");
        yield return Case("custom tag", "yaml", w => Base(w) + "seeds: !seq [1]\n");
        yield return Case("duplicate key", "yaml", w => Base(w) + "epochs: 2\n");
        yield return Case("duplicate key", "json", w => "{\"name\": \"a\", \"name\": \"b\"}");
        yield return Case("typo epoch", "yaml", w => Base(w).Replace("epochs: 1", "epoch: 1"));
        yield return Case("typo in attack", "yaml", w => Base(w) + "attack_limit: 5\n");
        yield return Case("unknown nested key", "json", w => "{\"attack\": {\"budget\": 5}}");
        yield return Case("two documents", "yaml", w => Base(w) + "---\nname: t\n");
        yield return Case("deep nesting", "yaml", w => string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)));
        yield return Case("binary garbage", "yaml", w => "\u0000\u0001\u0002\u00ff\t:[{");
        yield return Case("empty", "yaml", w => "");
        yield return Case("empty", "json", w => "");
        yield return Case("not a mapping", "yaml", w => "- a\n- b\n");
        yield return Case("epochs .nan", "yaml", w => Base(w).Replace("epochs: 1", "epochs: .nan"));
        yield return Case("learning rate .nan", "yaml", w => Base(w) + "learning_rate: .nan\n");
        yield return Case("learning rate -1", "yaml", w => Base(w) + "learning_rate: -1\n");
        yield return Case("learning rate huge", "json", w => "{\"name\": \"s\", \"learning_rate\": 1e400}");
        yield return Case("epochs -1", "yaml", w => Base(w).Replace("epochs: 1", "epochs: -1"));
        yield return Case("epochs 10^12", "yaml", w => Base(w).Replace("epochs: 1", "epochs: 1000000000000"));
        yield return Case("epochs a string", "yaml", w => Base(w).Replace("epochs: 1", "epochs: \"1\""));
        yield return Case("seeds a number", "json", w => "{\"name\": \"s\", \"seeds\": 7}", "'seeds' must be a list");
        yield return Case("attack a list", "yaml", w => Base(w).Replace("attack: { protocols: [] }", "attack: [paper]"), "'attack' must be a mapping");
        yield return Case("batch size 1", "yaml", w => Base(w) + "batch_size: 1\n");
        yield return Case("fraction 0", "yaml", w => Base(w) + "fractions: [0]\n");
        yield return Case("fraction 2", "yaml", w => Base(w) + "fractions: [2]\n");
        yield return Case("main fraction -1", "yaml", w => Base(w) + "main_fraction: -1\n");
        yield return Case("same seed twice", "yaml", w => Base(w) + "seeds: [7, 7]\n");
        yield return Case("same sweep seed twice", "yaml", w => Base(w) + "sweep_seeds: [7, 7]\n", "sweep_seeds");
        yield return Case("no sweep seed", "yaml", w => Base(w) + "sweep_seeds: []\n", "sweep_seeds");
        yield return Case("no seeds", "yaml", w => Base(w) + "seeds: []\n");
        yield return Case("null seeds", "yaml", w => Base(w) + "seeds: null\n");
        yield return Case("name ../x", "yaml", w => Base(w).Replace("name: s", "name: ../x"), "name");
        yield return Case("name with a slash", "yaml", w => Base(w).Replace("name: s", "name: a/b"), "name");
        yield return Case("name ..", "json", w => "{\"name\": \"..\"}", "name");
        yield return Case("unknown label", "yaml", w => Base(w).Replace("[categorical]", "[glove]"), "glove");
        yield return Case("unknown model", "yaml", w => Base(w) + "models: [resnet18]\n", "resnet18");
        yield return Case("unknown dataset", "yaml", w => Base(w) + "datasets: [imagenet]\n", "imagenet");
        yield return Case("unknown protocol", "yaml", w => Base(w).Replace("protocols: []", "protocols: [madry]"), "madry");
        yield return Case("unknown suite member", "yaml", w => Base(w).Replace("protocols: []", "protocols: [standard], suite: apgd-cw"), "apgd-cw");
        yield return Case("unknown attack", "yaml", w => Base(w).Replace("protocols: []", "protocols: [standard], standard_attacks: [cw]"), "cw");
        yield return Case("attack limit -1", "yaml", w => Base(w).Replace("protocols: []", "protocols: [standard], limit: -1"), "attack.limit");
        yield return Case("attack eps .inf", "yaml", w => Base(w).Replace("protocols: []", "protocols: [standard], standard_eps: [.inf]"));
        yield return Case("label file that does not exist", "yaml", w => Base(w) + "label_files: { fashion-mnist: { categorical: /nonexistent/bank.npy } }\n", "/nonexistent/bank.npy");
        yield return new("spec", "spec is a FIFO", w => (new[] { "study", "--spec", w.Fifo("spec.yaml"), "--out", w.P("study") }, "spec.yaml"));
        yield return new("spec", "spec does not exist", w => (new[] { "study", "--spec", w.P("none.yaml"), "--out", w.P("study") }, "none.yaml"));
        yield return new("spec", "a study folder of another spec", w =>
        {
            string spec = w.Write("spec.yaml", Base(w));
            string dir = w.P("study");
            Directory.CreateDirectory(dir);
            using (var store = new LabelRep.Studies.StudyStore(Path.Combine(dir, "results.db"))) store.SetValue("spec", "{\"name\": \"other\"}");
            return (new[] { "study", "--spec", spec, "--out", dir }, dir);
        });
    }

    // ---- results.db for report and export ----
    private static IEnumerable<HostileCase> Databases()
    {
        foreach (string command in new[] { "report", "export" })
        {
            HostileCase Case(string name, Action<string> make) => new("results.db", $"{name} ({command})", w =>
            {
                string dir = w.P("study");
                Directory.CreateDirectory(dir);
                string db = Path.Combine(dir, "results.db");
                make(db);
                return (command == "report" ? new[] { "report", "--study", dir } : new[] { "export", "--study", dir, "--format", "csv" }, "results.db");
            });
            yield return Case("0 bytes", db => File.WriteAllBytes(db, Array.Empty<byte>()));
            yield return Case("a text file", db => File.WriteAllText(db, "these are my notes, not a database"));
            yield return Case("SQLite header then garbage", db => File.WriteAllBytes(db, Encoding.ASCII.GetBytes("SQLite format 3\0").Concat(new byte[200]).ToArray()));
            yield return Case("a database without tables", db =>
            {
                using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');";
                cmd.ExecuteNonQuery();
            });
            yield return Case("a database with some of the tables", db =>
            {
                using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "CREATE TABLE study (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE runs (id TEXT);";
                cmd.ExecuteNonQuery();
            });
            yield return Case("a folder", db => Directory.CreateDirectory(db));
            yield return new("results.db", $"a FIFO ({command})", w =>
            {
                string dir = w.P("study");
                Directory.CreateDirectory(dir);
                w.Fifo(Path.Combine("study", "results.db"));
                return (command == "report" ? new[] { "report", "--study", dir } : new[] { "export", "--study", dir }, "results.db");
            });
        }
        yield return new("results.db", "no database (report)", w => (new[] { "report", "--study", w.Root }, "results.db"));
    }

    // ---- command-line values ----
    private static IEnumerable<HostileCase> Arguments()
    {
        foreach (var (option, value) in new[]
                 {
                     ("--lr", "NaN"), ("--lr", "Infinity"), ("--lr", "-Infinity"), ("--lr", "-1"), ("--lr", "0"), ("--momentum", "NaN"), ("--momentum", "1.5"),
                     ("--weight-decay", "NaN"), ("--weight-decay", "-1"), ("--gamma", "NaN"), ("--gamma", "0"), ("--fraction", "NaN"), ("--fraction", "0"),
                     ("--fraction", "2"), ("--epochs", "0"), ("--epochs", "-5"), ("--epochs", "2000000"), ("--batch-size", "1"), ("--batch-size", "0"), ("--val-count", "0"),
                     ("--val-count", "-3"), ("--threads", "-1"), ("--label-smoothing", "NaN"), ("--label-smoothing", "1"), ("--test-limit", "-1"),
                     ("--milestones", "x,y"), ("--milestones", "0"), ("--lowdim", "0"), ("--lowdim", "300000000"), ("--lowdim", "2147483647"), ("--device", "tpu"), ("--model", "resnet9000"),
                 })
            yield return new("argument", $"train {option} {value}", w => (Train(w, w.Data(), option, value), option is "--device" or "--model" ? value : option));
        foreach (var (extra, expected) in new[]
                 {
                     (new[] { "--adversarial", "pgd", "--adv-eps", "2" }, "--adv-eps"), (new[] { "--adversarial", "pgd", "--adv-eps", "NaN" }, "--adv-eps"),
                     (new[] { "--adversarial", "pgd", "--adv-eps", "1/0" }, "--adv-eps"), (new[] { "--adversarial", "pgd", "--adv-steps", "0" }, "--adv-steps"),
                     (new[] { "--adversarial", "pgd", "--adv-loss", "dlr" }, "--adv-loss"), (new[] { "--adversarial", "pgd", "--adv-step-size", "-1" }, "--adv-step-size"),
                     (new[] { "--adversarial", "fgsm" }, "--adversarial"), (new[] { "--adv-steps", "3" }, "--adv-steps"),
                     (new[] { "--label", "controlled:levels=1" }, "levels=1"), (new[] { "--label", "controlled:levels=NaN" }, "not key=number"),
                     (new[] { "--label", "controlled:distance=1e9" }, "distance="), (new[] { "--label", "mmc:radius=1e+3" }, "'+'"),
                     (new[] { "--milestones", "99999999999" }, "--milestones"), (new[] { "--milestones", "200000" }, "--milestones"),
                     (new[] { "--lr", "1e308" }, "--lr"), (new[] { "--weight-decay", "1e300" }, "--weight-decay"), (new[] { "--gamma", "1e300" }, "--gamma"),
                     (new[] { "--fraction", "0.00001" }, "training image"),
                     (new[] { "--label", "hadamard:length=12" }, "power of two"), (new[] { "--label", "speech:levels=4" }, "no parameters"),
                     (new[] { "--label", "label-smoothing:alpha=1" }, "alpha=1"), (new[] { "--label", "label-smoothing", "--label-smoothing", "0.1" }, "label-smoothing:alpha"),
                 })
            yield return new("argument", $"train {string.Join(" ", extra)}", w => (Train(w, w.Data(), extra), expected));
        yield return new("argument", "labels stats --kinds controlled:rank=99", w => (new[] { "labels", "stats", "--kinds", "controlled:rank=99", "--data-dir", w.Data() }, "rank=99"));
        foreach (var (option, value) in new[]
                 {
                     ("--eps", "Infinity"), ("--eps", "NaN"), ("--eps", "-1"), ("--eps", "1/0"), ("--eps", "0,,x"), ("--limit", "-1"), ("--steps", "0"),
                     ("--restarts", "0"), ("--queries", "0"), ("--batch-size", "0"), ("--threads", "-2"), ("--protocol", "madry"), ("--targeted", "maybe"),
                     ("--suite", "apgd-cw"), ("--suite", "fab"), ("--attacks", "cw"),
                     ("--steps", "1000000000"), ("--steps", "1.5"), ("--steps", "ten"), ("--queries", "2000000"), ("--restarts", "1e9"), ("--targets", "0"),
                     ("--p-init", "0"), ("--p-init", "1.5"), ("--rescale", "2"), ("--steps", "1,5"),
                 })
            yield return new("argument", $"attack {option} {value}", w => (new[] { "attack", "--run", w.Run(), option, value }, option is "--protocol" or "--attacks" ? value : option));
        foreach (var (args, mention) in new[]
                 {
                     (new[] { "--norm", "l3" }, "--norm"), (new[] { "--norm", "" }, "--norm"), (new[] { "--norm", "l2", "--eps", "0,100" }, "L2"),
                     (new[] { "--norm", "linf", "--eps", "0,2" }, "L∞"), (new[] { "--norm", "l1", "--eps", "0,785" }, "L1"), (new[] { "--protocol", "standard-l2", "--eps", "0,28.1" }, "L2"),
                     (new[] { "--norm", "l1", "--attacks", "square" }, "square"), (new[] { "--norm", "l2", "--attacks", "apgd-dlr-x" }, "apgd-dlr-x"),
                     (new[] { "--protocol", "paper", "--norm", "l2" }, "--norm"), (new[] { "--protocol", "standard-l2", "--norm", "l1" }, "--norm"),
                     (new[] { "--norm", "l1", "--suite", "autoattack" }, "--suite"), (new[] { "--norm", "l2", "--binarization" }, "--binarization"),
                 })
            yield return new("threat model", $"attack {string.Join(" ", args)}", w => (new[] { "attack", "--run", w.Run() }.Concat(args).ToArray(), mention));
        yield return new("argument", "attack --binarization --protocol paper", w => (new[] { "attack", "--run", w.Run(), "--binarization", "--protocol", "paper" }, "--binarization"));
        yield return new("argument", "attack --binarization --eps 0", w => (new[] { "attack", "--run", w.Run(), "--binarization", "--eps", "0" }, "--binarization"));
        yield return new("argument", "attack --protocol paper --steps 10", w => (new[] { "attack", "--run", w.Run(), "--protocol", "paper", "--steps", "10" }, "--steps"));
        yield return new("argument", "attack --source of another dataset", w => (new[] { "attack", "--run", w.Run(), "--source", w.Root }, w.Root));
        foreach (var (option, value) in new[] { ("--batch-size", "0"), ("--batch-size", "1"), ("--threads", "0"), ("--repeats", "0"), ("--steps", "-1"), ("--models", "vgg99"), ("--layout", "nhwc") })
            yield return new("argument", $"bench {option} {value}", w => (new[] { "bench", option, value, "--out", w.P("bench.json") }, option));
        yield return new("argument", "labels make --kind glove", w => (new[] { "labels", "make", "--kind", "glove", "--data-dir", w.Data(), "--out", w.P("labels") }, "glove"));
        yield return new("argument", "export --format onnx", w => (new[] { "export", "--run", w.Run(), "--format", "onnx", "--out", w.P("x") }, "--format"));
        yield return new("argument", "export without --out", w => (new[] { "export", "--run", w.Run() }, "--out"));
        yield return new("argument", "study without spec or preset", w => (new[] { "study" }, "--preset"));
        yield return new("argument", "study --preset huge", w => (new[] { "study", "--preset", "huge" }, "huge"));
        // An empty value (an unset shell variable) for a path, and a learning rate that makes the weights overflow.
        yield return new("argument", "train --out \"\"", w => (Train(w, w.Data(), "--out", ""), "--out"));
        yield return new("argument", "train --labels \"\"", w => (Train(w, w.Data(), "--labels", ""), "--labels"));
        yield return new("argument", "attack --run \"\"", w => (new[] { "attack", "--run", "" }, "--run"));
        yield return new("argument", "study --out \"\"", w => (new[] { "study", "--preset", "quick", "--out", "" }, "--out"));
        yield return new("argument", "train --lr 1e30 (diverges)", w => (Train(w, w.Data(), "--lr", "1e30"), "--lr"));
        // A grid of a million cells (10 kinds × 20,000 seeds × 5 fractions, in a spec of 150 KB) is refused before it is
        // built (the limit is max_cells, 10,000 unless the spec raises it).
        string hugeGrid = "{\"name\": \"huge\", \"labels\": [\"categorical\", \"speech\", \"shuffled-speech\", \"composite\", \"constant\", \"random\", \"lowdim\", "
            + "\"hadamard\", \"label-smoothing\", \"mmc\"], \"fractions\": [0.01, 0.02, 0.05, 0.1, 0.2], \"seeds\": [" + string.Join(",", Enumerable.Range(1, 20_000)) + "]}";
        yield return new("bounds", "study spec of 1,000,000 cells", w => (new[] { "study", "--spec", w.Write("huge.json",
            hugeGrid), "--out", w.P("study") }, "max_cells"));
        yield return new("bounds", "study plan of 1,000,000 cells", w => (new[] { "study", "plan", "--spec", w.Write("huge.json",
            hugeGrid) }, "max_cells"));
        yield return new("bounds", "study spec with max_cells 0", w => (new[] { "study", "--spec", w.Write("zero.json", "{\"name\": \"zero\", \"max_cells\": 0}"), "--out", w.P("study") }, "max_cells"));
        yield return new("argument", "study --parallel 0", w => (new[] { "study", "--preset", "quick", "--out", w.P("study"), "--parallel", "0" }, "--parallel"));
        yield return new("argument", "study --parallel two", w => (new[] { "study", "--preset", "quick", "--out", w.P("study"), "--parallel", "two" }, "--parallel"));
        yield return new("argument", "study --executor kubernetes", w => (new[] { "study", "--preset", "quick", "--out", w.P("study"), "--executor", "kubernetes" }, "kubernetes"));
        yield return new("argument", "study --executor slurm --parallel 2", w => (new[] { "study", "--preset", "quick", "--out", w.P("study"), "--executor", "slurm", "--parallel", "2" }, "--parallel"));
        // A value with a line break would become a command of its own in the generated script: refused before anything is written.
        yield return new("cluster-script quoting", "study --executor slurm --out with a newline",
            w => (new[] { "study", "--preset", "quick", "--out", w.P("study\ntouch pwned"), "--executor", "slurm" }, "--out"));
        yield return new("cluster-script quoting", "study --executor slurm --partition with a newline",
            w => (new[] { "study", "--preset", "quick", "--out", w.P("study"), "--executor", "slurm", "--partition", "debug\ntouch pwned" }, "--partition"));
        yield return new("argument", "study --executor slurm --time abc", w => (new[] { "study", "--preset", "quick", "--out", w.P("study"), "--executor", "slurm", "--time", "abc" }, "--time"));
    }

    // ---- image folders ----
    private static IEnumerable<HostileCase> ImageFolders()
    {
        byte[] Png()
        {
            using var bitmap = new SkiaSharp.SKBitmap(28, 28);
            using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
        HostileCase Case(string name, Func<Workspace, string, string> corrupt, bool succeeds = false, string command = "train") => new("folder", name, w =>
        {
            string root = w.P("images");
            foreach (string cls in new[] { "cat", "dog" })
                for (int i = 0; i < 6; i++) w.Write(Path.Combine("images", cls, $"{i}.png"), Png());
            string mention = corrupt(w, root);
            string[] args = command == "train"
                ? new[] { "train", "--dataset", "folder:" + root, "--epochs", "1", "--batch-size", "4", "--out", w.P("out") }
                : new[] { "labels", "make", "--dataset", "folder:" + root, "--kind", "speech", "--out", w.P("labels") };
            return (args, mention);
        }, succeeds);
        yield return Case("every PNG truncated", (w, r) =>
        {
            foreach (string f in Directory.GetFiles(r, "*.png", SearchOption.AllDirectories)) File.WriteAllBytes(f, File.ReadAllBytes(f)[..60]);
            return ".png";
        });
        yield return Case("one PNG truncated", (w, r) => Rewrite(Path.Combine(r, "dog", "3.png"), b => b[..50]));
        yield return Case("text named .png", (w, r) => w.Write(Path.Combine("images", "cat", "3.png"), "not an image"));
        yield return Case("empty .png", (w, r) => w.Write(Path.Combine("images", "cat", "2.png"), Array.Empty<byte>()));
        yield return Case("a PNG header claiming 100000x100000", (w, r) => Rewrite(Path.Combine(r, "cat", "1.png"), b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), 100_000);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), 100_000);
            return b;
        }));
        yield return Case("a FIFO named .png", (w, r) => w.Fifo(Path.Combine("images", "dog", "9.png")));
        yield return Case("one class only", (w, r) => { Directory.Delete(Path.Combine(r, "dog"), recursive: true); return r; });
        yield return Case("class folder named -wPWNED (speech labels)", (w, r) =>
        {
            Directory.CreateDirectory(Path.Combine(r, "-wPWNED"));
            foreach (string f in Directory.GetFiles(Path.Combine(r, "cat"))) File.Copy(f, Path.Combine(r, "-wPWNED", Path.GetFileName(f)));
            return "";
        }, succeeds: true, command: "labels");
        // Every folder becomes a class with images, or is refused or skipped with a line naming it.
        yield return Case("a class folder whose name is not UTF-8", (w, r) =>
        {
            // .NET strings cannot hold the byte 0xFF of a file name; the shell makes the folder.
            using var mkdir = System.Diagnostics.Process.Start("bash", new[] { "-c", "mkdir \"$1/$(printf '\\377')bird\" && cp \"$1\"/cat/*.png \"$1/$(printf '\\377')bird/\"", "_", r })!;
            mkdir.WaitForExit();
            return "not valid UTF-8";
        });
        yield return Case("an empty class folder", (w, r) => { Directory.CreateDirectory(Path.Combine(r, "bird")); return "'bird' holds no PNG or JPEG image"; });
        yield return Case("a .ipynb_checkpoints folder beside the classes (skipped)", (w, r) =>
        {
            w.Write(Path.Combine("images", ".ipynb_checkpoints", "0-checkpoint.png"), Png());
            return "";
        }, succeeds: true);
        yield return Case("classes named train and test without the split layout", (w, r) =>
        {
            foreach (string cls in new[] { "train", "test" })
                foreach (string f in Directory.GetFiles(Path.Combine(r, "cat"))) w.Write(Path.Combine("images", cls, Path.GetFileName(f)), File.ReadAllBytes(f));
            return "";
        }, succeeds: true);
        yield return Case("Cat and cat (the same spoken label)", (w, r) =>
        {
            foreach (string f in Directory.GetFiles(Path.Combine(r, "cat"))) w.Write(Path.Combine("images", "Cat", Path.GetFileName(f)), File.ReadAllBytes(f));
            return "have the same label";
        }, command: "labels");
    }

    // ---- write failures: an output path that cannot be written ----
    private static IEnumerable<HostileCase> Writes()
    {
        yield return new("write", "attacks.csv is a folder", w =>
        {
            string run = w.Run();
            Directory.CreateDirectory(Path.Combine(run, "attacks.csv"));
            return (new[] { "attack", "--run", run, "--eps", "0,1/255", "--limit", "4", "--attacks", "fgsm" }, "attacks.csv");
        });
        yield return new("write", "export folder is a file", w =>
        {
            string file = w.Write("out", "a file, not a folder");
            return (new[] { "export", "--run", w.Run(), "--format", "pytorch", "--out", file }, file);
        });
        yield return new("write", "train out folder is a file", w =>
        {
            string file = w.Write("out", "a file, not a folder");
            return (Train(w, w.Data(), "--out", file), file);
        });
        yield return new("write", "study out folder is a file", w =>
        {
            string file = w.Write("study", "a file, not a folder");
            return (new[] { "study", "--preset", "quick", "--out", file }, file);
        });
        yield return new("write", "train out folder where none can be made", w => (Train(w, w.Data(), "--out", "/proc/labelrep-hostile/run"), "/proc/labelrep-hostile/run"));
        yield return new("write", "labels out folder is a file", w =>
        {
            string file = w.Write("labels", "a file");
            return (new[] { "labels", "make", "--kind", "random", "--data-dir", w.Data(), "--out", file }, file);
        });
        yield return new("write", "bench output is a folder", w =>
        {
            Directory.CreateDirectory(w.P("bench.json"));
            return (new[] { "bench", "--models", "smallcnn", "--steps", "1", "--repeats", "1", "--out", w.P("bench.json") }, "bench.json");
        });
    }
}
