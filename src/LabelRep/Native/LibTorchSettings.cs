using System.Runtime.InteropServices;

namespace LabelRep.Native;

/// <summary>
/// Settings of libtorch's global context that TorchSharp does not expose, called through the C++ symbols of the
/// libtorch_cpu.so that TorchSharp has already loaded (never a second copy, whose context would be another one).
/// </summary>
internal static unsafe class LibTorchSettings
{
    private const string Library = "libtorch_cpu.so";

    /// <summary>
    /// Turns NNPACK off (torch.backends.nnpack.set_flags(False)). libtorch 2.10 logs "Could not initialize NNPACK!
    /// Reason: Unsupported hardware." on every convolution of a CPU that NNPACK does not know (thousands of lines per
    /// test run on AVX-512 EPYCs); the user flag is checked first, so the warning never comes. oneDNN runs the
    /// convolutions either way. Returns whether NNPACK is now off (false when the symbols are not found).
    /// </summary>
    public static bool DisableNnpack()
    {
        if (Symbol("_ZN2at7Context20setUserEnabledNNPACKEb") is not { } set || Context() is not { } ctx) return false;
        ((delegate* unmanaged<IntPtr, byte, void>)set)(ctx, 0);
        return NnpackEnabled() == false;
    }

    /// <summary>libtorch's NNPACK user flag, or null when it cannot be read.</summary>
    public static bool? NnpackEnabled() =>
        Symbol("_ZNK2at7Context17userEnabledNNPACKEv") is { } get && Context() is { } ctx
            ? ((delegate* unmanaged<IntPtr, byte>)get)(ctx) != 0
            : null;

    /// <summary>at::globalContext().</summary>
    private static IntPtr? Context() =>
        Symbol("_ZN2at13globalContextEv") is { } f ? ((delegate* unmanaged<IntPtr>)f)() : null;

    private static IntPtr? Symbol(string name) =>
        LoadedPath() is { } path && NativeLibrary.TryLoad(path, out IntPtr handle) && NativeLibrary.TryGetExport(handle, name, out IntPtr address)
            ? address
            : null;

    /// <summary>The file of the libtorch_cpu.so mapped into this process, from /proc/self/maps.</summary>
    private static string? LoadedPath()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
                .FirstOrDefault(p => Path.GetFileName(p) == Library);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
