using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Evaluation;

/// <summary>
/// An attack sweep's progress on disk, so that a long evaluation killed at any moment resumes where it stopped and ends
/// with the numbers an uninterrupted run gives. The file is a header line naming the sweep (a hash of the request, the
/// weights and the images), then one line per finished batch of an attack: which attack call of the sweep and which
/// batch, what it found per image (the predicted classes, or a minimum-norm attack's distances and reached classes), the
/// forward and backward passes it spent, and the random generator's state after it. Each line ends with a checksum of
/// itself and is appended and flushed to disk whole, so a kill can only cut the last line, which is then dropped.
/// <para>
/// The sweep runs its calls in a fixed order, so the recorded batches are a prefix of a rerun's: the rerun takes their
/// results without computing them, restores the generator to its state after the last of them, and computes the rest
/// exactly as the interrupted run would have. Timings aside, the results are the same. A file of another sweep (other
/// request, weights or images), or one that is not a journal, is refused, never reused.
/// </para>
/// </summary>
public sealed class SweepJournal : IDisposable
{
    private const string Magic = "labelrep-attack-journal 1";
    private readonly string _path;
    private readonly Dictionary<(int Call, int Start), Entry> _entries = new();
    private FileStream? _append;
    private byte[]? _resumeState;

    /// <summary>One finished batch: per image, its predicted class or, for a minimum-norm attack, its distance and reached class.</summary>
    public sealed record Entry(long[] Predictions, double[]? Distances, long Forwards, long Backwards);

    private readonly string _header;

    private SweepJournal(string path, string header)
    {
        _path = path;
        _header = header;
    }

    /// <summary>Batches read back from an interrupted run (0 for a fresh one).</summary>
    public int Resumed => _entries.Count;

    /// <summary>The journal at <paramref name="path"/> of the sweep named <paramref name="identity"/>: read back if it exists (a foreign one refused), else started.</summary>
    public static SweepJournal Open(string path, string identity)
    {
        var journal = new SweepJournal(path, $"{Magic} {Hash(identity)}");
        // A new journal's file is made with its first batch: a sweep refused before any leaves nothing behind.
        if (File.Exists(path)) journal.ReadBack();
        return journal;
    }

    private void ReadBack()
    {
        string header = _header;
        string how = $"delete it to start the attack over (rm '{_path}')";
        using (var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var reader = new StreamReader(stream, new UTF8Encoding(false, true));
            string? first;
            try
            {
                first = reader.ReadLine();
            }
            catch (DecoderFallbackException)
            {
                first = null;
            }
            if (first == null || !first.StartsWith("labelrep-attack-journal ", StringComparison.Ordinal))
                throw new LabelRepException($"{_path}: not a LabelRep attack journal; {how}");
            if (first != header)
                throw new LabelRepException($"{_path}: left by an interrupted attack with another request, other weights or other images, so its results are not this attack's; {how}, or rerun the command that left it");
        }
        // Whole lines with a valid checksum, up to the first that is not (a kill cut it): the file is cut back to them.
        byte[] bytes = File.ReadAllBytes(_path);
        int valid = Array.IndexOf(bytes, (byte)'\n') + 1;
        while (valid < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', valid);
            if (end < 0 || !TryParse(Encoding.ASCII.GetString(bytes, valid, end - valid))) break;
            valid = end + 1;
        }
        _append = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.Read);
        _append.SetLength(valid);
        _append.Seek(valid, SeekOrigin.Begin);
    }

    private bool TryParse(string line)
    {
        int space = line.LastIndexOf(' ');
        if (space < 0 || line[(space + 1)..] != Hash(line[..space])) return false;
        string[] f = line[..space].Split(' ');
        try
        {
            var key = (int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture));
            long[] predictions = Longs(Convert.FromBase64String(f[2]));
            double[]? distances = f[3] == "-" ? null : Doubles(Convert.FromBase64String(f[3]));
            _entries[key] = new Entry(predictions, distances, long.Parse(f[4], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture));
            _resumeState = Convert.FromBase64String(f[6]);
            return true;
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>The recorded result of batch <paramref name="start"/> of call <paramref name="call"/>, if the interrupted run finished it.</summary>
    public Entry? Recorded(int call, int start) => _entries.GetValueOrDefault((call, start));

    /// <summary>Before the first batch computed after the recorded ones: the generator back to its state after the last recorded batch.</summary>
    public void RestoreOnce(Generator random)
    {
        if (_resumeState == null) return;
        using Tensor state = torch.tensor(_resumeState, ScalarType.Byte);
        random.set_state(state);
        _resumeState = null;
    }

    /// <summary>Appends a finished batch, with the generator's state after it, and flushes it to disk.</summary>
    public void Record(int call, int start, Entry entry, Generator random)
    {
        using Tensor state = random.get_state();
        string line = string.Join(' ', call.ToString(CultureInfo.InvariantCulture), start.ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(Bytes(entry.Predictions)), entry.Distances is null ? "-" : Convert.ToBase64String(Bytes(entry.Distances)),
            entry.Forwards.ToString(CultureInfo.InvariantCulture), entry.Backwards.ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(state.data<byte>().ToArray()));
        Append($"{line} {Hash(line)}");
        _entries[(call, start)] = entry;
    }

    private void Append(string line)
    {
        if (_append == null)
        {
            _append = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            _append.Write(Encoding.ASCII.GetBytes(_header + "\n"));
        }
        byte[] bytes = Encoding.ASCII.GetBytes(line + "\n");
        _append!.Write(bytes);
        _append.Flush(flushToDisk: true);
    }

    /// <summary>The sweep finished and its results are saved: the journal is no longer needed.</summary>
    public void Finish()
    {
        _append?.Dispose();
        _append = null;
        if (File.Exists(_path)) File.Delete(_path);
    }

    public void Dispose() => _append?.Dispose();

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 12);

    private static byte[] Bytes(long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
    private static byte[] Bytes(double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
    private static long[] Longs(byte[] bytes) => Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToInt64(bytes, 8 * i)).ToArray();
    private static double[] Doubles(byte[] bytes) => Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToDouble(bytes, 8 * i)).ToArray();
}
