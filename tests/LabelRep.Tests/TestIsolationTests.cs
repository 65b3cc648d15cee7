using TorchSharp;
using Xunit;

namespace LabelRep.Tests;

public class TestIsolationTests
{
    [Fact]
    public void Every_test_runs_inside_a_dispose_scope_that_holds_its_tensors()
    {
        DisposeScope? scope = torch.CurrentDisposeScope;
        Assert.NotNull(scope);
        using var scalar = 2.0.ToScalar();
        var t = torch.ones(3).mul(scalar);
        Assert.True(scope!.Contains(t));
    }
}
