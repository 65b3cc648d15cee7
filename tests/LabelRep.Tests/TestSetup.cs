using System.Runtime.CompilerServices;
using LabelRep.Native;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LabelRep.Tests;

internal static class TestSetup
{
    /// <summary>Patch and tune libtorch before any test touches a tensor.</summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        TorchRuntime.Prepare();
        TorchRuntime.SetThreads(2);
    }
}
