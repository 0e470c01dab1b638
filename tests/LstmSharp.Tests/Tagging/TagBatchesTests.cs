// TagBatches: the [batch, words] ids, [batch, words, chars] characters and tag targets of each batch laid out row by row
// and padded with 0, every sentence once per epoch, and word dropout that only touches rare words, the same for the same
// seed and epoch.
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class TagBatchesTests
{
    static readonly int[][] Words = [[2, 3, 4], [5], [2, 6], [7, 8, 9, 2]];
    static readonly int[][] Tags = [[1, 0, 1], [2], [0, 0], [1, 1, 2, 0]];
    static readonly int[][][] Chars = [[[1, 2], [3], [4, 5, 6]], [[7]], [[1], [2, 3]], [[4], [5], [6, 7], [8, 9, 1]]];

    [Fact]
    public void GetBatch_LaysOutWordsCharactersAndTagsRowByRow()
    {
        var batches = new TagBatches(Words, Chars, Tags, batchSize: 4, seed: null);
        Assert.Equal(1, batches.BatchCount);
        batches.BeginEpoch(0);
        var batch = batches.GetBatch(0);
        var rows = batches.Rows(0);
        Assert.Equal([1, 2, 0, 3], rows);   // by length; ties keep their order
        var (words, chars, tags) = (batch.Inputs[0], batch.Inputs[1], batch.Targets[0]);
        Assert.Equal([4, 4], words.Shape);
        Assert.Equal([4, 4, 3], chars.Shape);
        for (var r = 0; r < 4; r++)
        {
            var s = rows[r];
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(i < Words[s].Length ? Words[s][i] : 0, words.Span[r * 4 + i]);
                Assert.Equal(i < Tags[s].Length ? Tags[s][i] : 0, tags.Span[r * 4 + i]);
                for (var c = 0; c < 3; c++)
                {
                    var expected = i < Chars[s].Length && c < Chars[s][i].Length ? Chars[s][i][c] : 0;
                    Assert.Equal(expected, chars.Span[(r * 4 + i) * 3 + c]);
                }
            }
        }
    }

    [Fact]
    public void Training_VisitsEverySentenceOncePerEpoch_AndDropsOnlyRareWordsTheSameWayEachTime()
    {
        var rare = new bool[10];
        rare[2] = true;   // word 2 is seen once; the others stay
        TagBatches Make() => new(Words, null, Tags, batchSize: 2, seed: 5, rare, wordDropout: 0.5f);
        var (a, b) = (Make(), Make());
        var dropped = 0;
        for (var epoch = 0; epoch < 6; epoch++)
        {
            a.BeginEpoch(epoch);
            b.BeginEpoch(epoch);
            var seen = new List<int>();
            for (var k = 0; k < a.BatchCount; k++)
            {
                var (x, y) = (a.GetBatch(k).Inputs[0].Span.ToArray(), b.GetBatch(k).Inputs[0].Span.ToArray());
                Assert.Equal(x, y);
                var rows = a.Rows(k);
                seen.AddRange(rows);
                var length = x.Length / rows.Count;
                for (var r = 0; r < rows.Count; r++)
                    for (var i = 0; i < Words[rows[r]].Length; i++)
                    {
                        var (id, original) = (x[r * length + i], Words[rows[r]][i]);
                        if (id != original)
                        {
                            Assert.Equal(2, original);
                            Assert.Equal(1, id);     // [UNK]
                            dropped++;
                        }
                    }
            }
            Assert.Equal([0, 1, 2, 3], seen.Order());
        }
        Assert.InRange(dropped, 1, 17);   // 18 occurrences of word 2 in 6 epochs, half dropped on average
    }
}
