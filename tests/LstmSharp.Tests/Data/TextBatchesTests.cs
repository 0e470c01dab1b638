// TextBatches: the exact TBPTT layout — B contiguous streams, consecutive chunks that continue each other,
// targets the inputs shifted by one — and clear errors for short texts and wrong buffers.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class TextBatchesTests
{
    [Fact]
    public void Batches_Layout_StreamsContinueAndTargetsAreShiftedByOne()
    {
        // 47 tokens, 3 streams: L = 15 (2 tokens dropped), (15 − 1) / 4 = 3 batches of 4 steps (2 inputs dropped).
        var tokens = Enumerable.Range(100, 47).ToArray();
        var batches = new TextBatches(tokens, batchSize: 3, steps: 4);
        Assert.Equal((3, 4, 15, 3), (batches.BatchSize, batches.Steps, batches.StreamLength, batches.BatchCount));

        var (x0, y0) = batches.Batch(0);
        Assert.Equal([100, 101, 102, 103, 115, 116, 117, 118, 130, 131, 132, 133], x0.ToArray());
        Assert.Equal([101, 102, 103, 104, 116, 117, 118, 119, 131, 132, 133, 134], y0.ToArray());
        var (x2, y2) = batches.Batch(2);
        Assert.Equal([108, 109, 110, 111, 123, 124, 125, 126, 138, 139, 140, 141], x2.ToArray());
        Assert.Equal([109, 110, 111, 112, 124, 125, 126, 127, 139, 140, 141, 142], y2.ToArray());

        for (var k = 0; k < batches.BatchCount; k++)
        {
            var (x, y) = batches.Batch(k);
            for (var b = 0; b < 3; b++)
            {
                for (var t = 0; t < 4; t++)
                {
                    Assert.Equal(tokens[b * 15 + k * 4 + t], x[b, t]);
                    Assert.Equal(x[b, t] + 1, y[b, t]);
                    if (t < 3) Assert.Equal(x[b, t + 1], y[b, t]);
                }
                if (k > 0) Assert.Equal(batches.Batch(k - 1).Y[b, 3], x[b, 0]);
            }
        }
    }

    [Fact]
    public void ToSamples_FitOrder_StacksTheBatches()
    {
        var batches = new TextBatches(Enumerable.Range(1, 50).ToArray(), batchSize: 2, steps: 3);
        var (x, y) = batches.ToSamples();
        Assert.True(x.HasShape(batches.BatchCount * 2, 3));
        for (var k = 0; k < batches.BatchCount; k++)
        {
            var (bx, by) = batches.Batch(k);
            Assert.Equal(bx.ToArray(), x.Slice(2 * k, 2).ToArray());
            Assert.Equal(by.ToArray(), y.Slice(2 * k, 2).ToArray());
        }
    }

    [Fact]
    public void Fill_AfterFirstCall_AllocatesNothing()
    {
        var batches = new TextBatches(Enumerable.Range(1, 10_000).ToArray(), batchSize: 16, steps: 32);
        var x = Tensor.Zeros(16, 32);
        var y = Tensor.Zeros(16, 32);
        batches.Fill(0, x, y);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < batches.BatchCount; k++) batches.Fill(k, x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_TooFewTokensOrBadIds_Throws()
    {
        Assert.Equal(1, new TextBatches(new int[2 * 5], batchSize: 2, steps: 4).BatchCount);
        var e = Assert.Throws<ArgumentException>(() => new TextBatches(new int[2 * 5 - 1], batchSize: 2, steps: 4));
        Assert.Contains("at least 10 are needed", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TextBatches([1, 2, -3, 4], batchSize: 1, steps: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextBatches([1, 2, 3], batchSize: 0, steps: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextBatches([1, 2, 3], batchSize: 1, steps: 0));
    }

    [Fact]
    public void Fill_WrongShapeOrIndex_SaysExpectedAndReceived()
    {
        var batches = new TextBatches(Enumerable.Range(1, 40).ToArray(), batchSize: 2, steps: 3);
        var e = Assert.Throws<ArgumentException>(() => batches.Fill(0, Tensor.Zeros(3, 2), Tensor.Zeros(2, 3)));
        Assert.Contains("must be [2, 3] (batch size, steps); received [3, 2]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.Fill(batches.BatchCount, Tensor.Zeros(2, 3), Tensor.Zeros(2, 3)));
    }
}
