// MissingValuesTests: filling gaps in place, dropping rows, and the errors for what cannot be filled.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class MissingValuesTests
{
    const float N = float.NaN;

    [Fact]
    public void Fill_Interpolate_LinearInsideBackAndForwardAtEnds()
    {
        float[] values = [N, 1f, N, N, 4f, N, N];
        Assert.Equal(5, MissingValues.Fill(values, MissingPolicy.Interpolate));
        Assert.Equal([1f, 1f, 2f, 3f, 4f, 4f, 4f], values);
    }

    [Fact]
    public void Fill_Interpolate_SeveralGapsAndNegativeSlope()
    {
        float[] values = [10f, N, 0f, 5f, N, N, N, 1f];
        Assert.Equal(4, MissingValues.Fill(values, MissingPolicy.Interpolate));
        Assert.Equal([10f, 5f, 0f, 5f, 4f, 3f, 2f, 1f], values);
    }

    [Fact]
    public void Fill_ForwardFill_TakesPreviousAndBackFillsTheStart()
    {
        float[] values = [N, N, 1f, N, N, 4f, N];
        Assert.Equal(5, MissingValues.Fill(values, MissingPolicy.ForwardFill));
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 4f, 4f], values);
    }

    [Fact]
    public void Fill_AnyNaNPayloadIsMissing()
    {
        // float.NaN is the negative quiet NaN; a CSV parser may produce the positive one or another payload.
        float[] values = [1f, BitConverter.Int32BitsToSingle(0x7FC00000), BitConverter.Int32BitsToSingle(0x7F800001), 4f];
        Assert.Equal(2, MissingValues.Fill(values, MissingPolicy.Interpolate));
        Assert.Equal([1f, 2f, 3f, 4f], values);
    }

    [Theory]
    [InlineData(MissingPolicy.Interpolate)]
    [InlineData(MissingPolicy.ForwardFill)]
    [InlineData(MissingPolicy.Error)]
    public void Fill_NothingMissing_ReturnsZeroAndLeavesValues(MissingPolicy policy)
    {
        float[] values = [3f, float.PositiveInfinity, -2f];
        Assert.Equal(0, MissingValues.Fill(values, policy));
        Assert.Equal([3f, float.PositiveInfinity, -2f], values);
        Assert.Equal(0, MissingValues.Fill([], policy));
    }

    [Fact]
    public void Fill_Error_NamesTheFirstMissingIndex()
    {
        float[] values = [1f, 2f, N, 3f, N];
        var e = Assert.Throws<ArgumentException>(() => MissingValues.Fill(values, MissingPolicy.Error));
        Assert.Contains("Value 2 is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 of 5 missing", e.Message, StringComparison.Ordinal);
        Assert.True(float.IsNaN(values[2]));
    }

    [Fact]
    public void Fill_Drop_PointsToRowsWithoutMissing()
    {
        var e = Assert.Throws<ArgumentException>(() => MissingValues.Fill(new float[] { 1f, N }, MissingPolicy.Drop));
        Assert.Contains("RowsWithoutMissing", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MissingPolicy.Interpolate)]
    [InlineData(MissingPolicy.ForwardFill)]
    public void Fill_AllMissing_SaysSo(MissingPolicy policy)
    {
        var e = Assert.Throws<ArgumentException>(() => MissingValues.Fill(new float[] { N, N, N }, policy));
        Assert.Contains("Every one of the 3 values is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowsWithoutMissing_KeepsRowsCompleteInEveryColumn()
    {
        float[][] columns = [[1f, N, 3f, 4f, 5f], [1f, 2f, N, 4f, float.PositiveInfinity]];
        Assert.Equal([0, 3, 4], MissingValues.RowsWithoutMissing(columns));
        Assert.Empty(MissingValues.RowsWithoutMissing([[N, N]]));
    }

    [Fact]
    public void RowsWithoutMissing_RejectsUnequalOrNoColumns()
    {
        var e = Assert.Throws<ArgumentException>(() => MissingValues.RowsWithoutMissing([[1f, 2f, 3f], [1f, 2f]]));
        Assert.Contains("column 1 has 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MissingValues.RowsWithoutMissing([]));
    }
}
