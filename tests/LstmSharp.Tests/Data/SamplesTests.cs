// Samples.Gather: picks samples by index, keeps the other axes, refuses indices out of range.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class SamplesTests
{
    [Fact]
    public void Gather_PicksSamplesInTheGivenOrder()
    {
        var x = new Tensor(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 2, 2);
        var picked = Samples.Gather(x, [2, 0, 2]);
        Assert.True(picked.HasShape(3, 2, 2));
        Assert.Equal([8f, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11], picked.ToArray());
        Assert.True(Samples.Gather(x, []).HasShape(0, 2, 2));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Samples.Gather(x, [1, 3]));
        Assert.Contains("Index 1 is 3; the tensor [3, 2, 2] has samples 0 … 2", e.Message, StringComparison.Ordinal);
    }
}
