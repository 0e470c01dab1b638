using Xunit;

namespace LstmSharp.Tests;

public sealed class TensorTests
{
    [Fact]
    public void Constructor_ShapeMismatch_SaysBothCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Contains("[2, 3] holds 6 elements but the array has 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReshapeAndSlice_AreViews()
    {
        var t = new Tensor([1, 2, 3, 4, 5, 6], 2, 3);
        var r = t.Reshape(3, -1);
        Assert.True(r.HasShape(3, 2));
        r[2, 1] = 60;
        Assert.Equal(60, t[1, 2]);
        var row = t.Slice(1);
        Assert.Equal([4f, 5f, 60f], row.ToArray());
        row[0] = 40;
        Assert.Equal(40, t[1, 0]);
        Assert.Throws<ArgumentException>(() => t.Reshape(4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Slice(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t[0, 3]);
        Assert.Throws<ArgumentException>(() => t[0]);
    }

    [Fact]
    public void FromArray_IsRowMajorBatchFirst()
    {
        var t = Tensor.FromArray(new float[,,] { { { 1, 2 }, { 3, 4 }, { 5, 6 } } });
        Assert.True(t.HasShape(1, 3, 2));
        Assert.Equal(4, t[0, 1, 1]);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t.ToArray());
    }

    [Fact]
    public void CopyFrom_ShapeMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).CopyFrom(Tensor.Zeros(3, 2)));
}
