using System.Reflection;
using System.Runtime;
using System.Runtime.CompilerServices;
using LabelRep.Native;
using TorchSharp;
using Xunit;
using Xunit.Sdk;

[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: LabelRep.Tests.TorchTestIsolation]

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

/// <summary>
/// Keeps the .NET finalizer thread away from tensors a test is still using. TorchSharp passes a tensor's or a scalar's
/// native handle to libtorch without keeping the managed owner alive, so when a garbage collection happens during the
/// call (the test host's own threads allocate all the time) the finalizer can free a temporary that libtorch is still
/// reading: the intermittent SIGSEGV inside libtorch_cpu.so seen in a few whole-suite runs, reproduced in a stress loop.
/// Each test therefore runs inside its own dispose scope (every tensor it makes stays reachable until the test ends,
/// then is freed on the test's thread) and, where the runtime grants it, in a no-GC region, which also covers the
/// scalars no scope tracks. The library's own processes have a single managed thread while they compute, so there a
/// collection can only start between native calls.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class TorchTestIsolationAttribute : BeforeAfterTestAttribute
{
    /// <summary>Managed allocation a test may make before the runtime collects again (and ends the no-GC region).</summary>
    private const long NoGcBudget = 192L << 20;

    private DisposeScope? _scope;

    public override void Before(MethodInfo methodUnderTest)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            GC.TryStartNoGCRegion(NoGcBudget);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // The budget is above what this runtime's heap layout allows (or a region is somehow still open): the
            // dispose scope alone still covers tensors.
        }
        _scope = torch.NewDisposeScope();
    }

    public override void After(MethodInfo methodUnderTest)
    {
        _scope?.Dispose();
        _scope = null;
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // The test allocated past the budget (or collected on purpose); the region had already ended.
            }
        }
    }
}
