using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace LabelRep.Native;

/// <summary>
/// Everything that must happen before the first tensor: the libstdc++ version fix, the allocator tuning (docs/toolchain.md:
/// "Loading libtorch" and "Allocator settings"), and NNPACK off (its warning floods the log on CPUs it does not know). Runs once per process, from the
/// module initializer.
/// </summary>
public static class TorchRuntime
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;
    private static readonly object Gate = new();
    private static bool _prepared;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [ModuleInitializer]
    internal static void Initialize() => Prepare();

    /// <summary>
    /// The AppContext key under which a program may leave an <see cref="Action"/> to run beside the loading of libtorch
    /// (the CLI's chart and table warm-up). Set before the first use of any LabelRep type, since the module initializer
    /// loads libtorch then.
    /// </summary>
    public const string AlongsideLoading = "LabelRep.AlongsideLoading";

    /// <summary>Patches libLibTorchSharp.so if needed and tunes glibc's allocator. Idempotent.</summary>
    public static void Prepare()
    {
        lock (Gate)
        {
            if (_prepared) return;
            _prepared = true;
            if (!OperatingSystem.IsLinux()) return;
            PatchGlueLibrary();
            // Keep multi-MB activations in the heap instead of mmap/munmap on every step (docs/toolchain.md, "Allocator settings").
            Mallopt(MMmapThreshold, 32 << 20);
            Mallopt(MTrimThreshold, 1 << 30);
            // The one place a second managed thread runs (docs/ARCHITECTURE.md, "One allocating thread"): work left under
            // AlongsideLoading runs while libtorch loads, and is joined before this returns, that is before any LabelRep
            // code runs and so before the first tensor exists. A test keeps every other thread out of the library and CLI.
            Thread? alongside = AppContext.GetData(AlongsideLoading) is Action work ? new Thread(() => Quietly(work)) { IsBackground = true, Name = "alongside-loading" } : null;
            alongside?.Start();
            try
            {
                // Loads libtorch (after the patch and the allocator settings, which must come first), then turns NNPACK off.
                torch.InitializeDeviceType(DeviceType.CPU);
                LibTorchSettings.DisableNnpack();
            }
            finally
            {
                alongside?.Join();
            }
        }
    }

    /// <summary>Work beside the loading is only a head start: whatever it meets again on the main thread reports any real problem.</summary>
    private static void Quietly(Action work)
    {
        try
        {
            work();
        }
        catch (Exception)
        {
        }
    }

    private static void PatchGlueLibrary()
    {
        string baseDir = AppContext.BaseDirectory;
        string[] candidates =
        {
            Path.Combine(baseDir, "libLibTorchSharp.so"),
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        };
        foreach (string path in candidates.Where(File.Exists))
        {
            try
            {
                ElfVersionPatch.MakeWeak(path, "GLIBCXX_3.4.32");
            }
            catch (UnauthorizedAccessException)
            {
                throw new LabelRepException(
                    $"cannot patch {path} (needed on glibc systems without GLIBCXX_3.4.32): the file is not writable; " +
                    "run once as a user who can write the build output, or rebuild into a writable folder");
            }
        }
    }

    /// <summary>How far resident memory may grow over its low point before <see cref="ReleaseFreeMemory"/> trims the heap.</summary>
    public const long AllowedGrowthBytes = 256L << 20;

    private static long _rssLow = long.MaxValue;

    /// <summary>
    /// Returns the allocator's free memory to the system once resident memory has grown more than
    /// <see cref="AllowedGrowthBytes"/> over its lowest point (since the last trim). The 1 GB trim threshold that speeds
    /// training keeps freed blocks in the heap, and attacks, whose batches shrink as images are fooled, allocate tensors
    /// of ever new sizes: APGD's resident memory on a speech model grew by about 100 MB a batch without trimming.
    /// Trimming after every batch costs more than the call: the next batch faults the same pages back in (the paper's
    /// 200-image sweep faulted 2.3 GB that way, about a second of its 8). Resident memory, not glibc's statistics, since
    /// those cover only the main thread's arena and malloc_trim covers all. Call it between attack batches, never per
    /// training step.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        lock (Gate)
        {
            long rss = ResidentBytes();
            if (rss < 0 || rss - Math.Min(_rssLow, rss) > AllowedGrowthBytes)
            {
                MallocTrim(0);
                rss = ResidentBytes();
                _rssLow = rss < 0 ? long.MaxValue : rss;
            }
            else _rssLow = Math.Min(_rssLow, rss);
        }
    }

    /// <summary>This process's resident memory in bytes (/proc/self/statm), or -1 where it cannot be read.</summary>
    public static long ResidentBytes()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>Sets the number of intra-op threads libtorch uses (0 = leave the default).</summary>
    public static void SetThreads(int threads)
    {
        if (threads < 0 || threads > 1024) throw new LabelRepException($"--threads {threads}: must be 0 (libtorch's default) or a number of threads");
        if (threads > 0) torch.set_num_threads(threads);
    }
}
