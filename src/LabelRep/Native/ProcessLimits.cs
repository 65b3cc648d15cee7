using System.Runtime.InteropServices;

namespace LabelRep.Native;

/// <summary>
/// What the process inherits that can stop it before any work, checked at start-up: the open-file limit (libtorch and
/// .NET open well over 64 files before the first command runs) and the file-size limit's signal (SIGXFSZ would kill the
/// process without a word; ignored, a write past the limit fails with EFBIG instead and is reported). The launcher
/// (./labelrep) raises a low open-file limit and points closed standard streams at /dev/null before the runtime starts.
/// </summary>
public static class ProcessLimits
{
    /// <summary>The fewest open files LabelRep starts with (at 64 .NET could not load its own assemblies; 100 ran).</summary>
    public const long MinOpenFiles = 128;

    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    /// <summary>The soft open-file limit (ulimit -n), or null where it cannot be read.</summary>
    public static long? OpenFiles()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNofile, out RLimit limit) != 0) return null;
        return limit.Current > long.MaxValue ? long.MaxValue : (long)limit.Current;
    }

    private static PosixSignalRegistration? _fileSize;

    /// <summary>SIGXFSZ ignored for the rest of the process, so that a write past ulimit -f fails with an error LabelRep reports.</summary>
    public static void IgnoreFileSizeSignal()
    {
        if (OperatingSystem.IsLinux()) _fileSize ??= PosixSignalRegistration.Create((PosixSignal)25, context => context.Cancel = true);
    }
}
