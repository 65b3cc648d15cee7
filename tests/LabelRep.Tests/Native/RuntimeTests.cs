using LabelRep.Native;
using TorchSharp;
using Xunit;

namespace LabelRep.Tests.Native;

public class RuntimeTests
{
    [Fact]
    public void Nnpack_is_off_after_start_up_so_its_warning_cannot_flood_the_log()
    {
        // Given: the runtime prepared as every process prepares it (module initializer)
        TorchRuntime.Prepare();

        // Then: libtorch's own flag, read from the loaded libtorch_cpu.so, says NNPACK is not used
        Assert.False(LibTorchSettings.NnpackEnabled());
    }

    [Fact]
    public void Freed_tensor_memory_goes_back_to_the_system_once_it_exceeds_the_allowed_growth()
    {
        // Given: resident memory now (after the call, as between two attack batches), then 640 MB of tensors of 1 MB each
        // allocated and freed (glibc's main heap keeps them: below the 32 MB mmap threshold, and the 1 GB trim
        // threshold keeps its top)
        TorchRuntime.ReleaseFreeMemory();
        long before = TorchRuntime.ResidentBytes();
        Assert.True(before > 0);
        var tensors = new List<torch.Tensor>();
        for (int i = 0; i < 640; i++) tensors.Add(torch.ones(256 * 1024));
        foreach (var t in tensors) t.Dispose();
        long held = TorchRuntime.ResidentBytes();

        // When: the attacks' between-batch call
        TorchRuntime.ReleaseFreeMemory();

        // Then: the process is back within the allowed growth of where it was (64 MB of slack for the runtime's own)
        long after = TorchRuntime.ResidentBytes();
        Assert.True(after - before < TorchRuntime.AllowedGrowthBytes + (64L << 20),
            $"resident {before >> 20} MB before the tensors, {held >> 20} MB after freeing them, {after >> 20} MB after the call");
    }
}
