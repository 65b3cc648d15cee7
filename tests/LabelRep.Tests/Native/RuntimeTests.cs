using LabelRep.Native;
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
}
