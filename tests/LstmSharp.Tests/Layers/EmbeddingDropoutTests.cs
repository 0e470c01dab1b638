// Embedding dropout (AWD-LSTM's embedded_dropout): whole words dropped with one mask over the vocabulary per batch.
// The gradient against finite differences with the pass's mask held fixed and against PyTorch with a recorded mask
// (awd_dropout.json); a dropped word is zero everywhere in the batch; the rate kept; nothing dropped at inference.
using System.Text.Json;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class EmbeddingDropoutTests
{
    const int Vocab = 9, Dim = 3;

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void EmbeddingDropout_Training_MatchesFiniteDifferencesWithTheMaskHeldFixed(KernelVariant variant)
    {
        var embedding = new Embedding(Vocab, Dim, dropout: 0.4f) { Kernels = KernelSet.For(variant) };
        embedding.Build([5], seed: 3);
        var values = GradientCheck.RandomizeParameters(embedding, "", seed: 60);
        var ids = new Tensor([1, 3, 3, 6, 2, 1, 5, 1, 8, 2, 4, 7, 6, 2, 3], 3, 5);
        var g = GradientCheck.RandomFloats(3 * 5 * Dim, 61, 1f).Select(v => (double)v).ToArray();
        var y = embedding.Forward(ids, training: true).ToArray();
        var scales = embedding.DropoutMask!.ToDouble();
        Assert.Equal(Vocab, scales.Length);
        Assert.All(scales, s => Assert.True(s == 0 || Math.Abs(s - 1 / 0.6) < 1e-6, $"scale {s}"));
        var usedIds = ids.ToArray().Where(id => id != 0).Select(id => (int)id).Distinct().ToArray();
        Assert.Contains(usedIds, id => scales[id] == 0);
        Assert.Contains(usedIds, id => scales[id] != 0);

        double[] Reference(Dictionary<string, double[]> v)
        {
            var dropped = v["weight"].Select((w, i) => w * scales[i / Dim]).ToArray();
            return Oracles.Reference.Embedding(dropped, ids.Span, Dim);
        }

        Approx.Equal(Reference(values), y, 1e-6, "dropped embedding");
        embedding.Backward(new Tensor(g.Select(v => (float)v).ToArray(), 3, 5, Dim));
        GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), new Dictionary<string, Tensor> { ["weight"] = embedding.Parameters[0].Gradient });
    }

    [Fact]
    public void EmbeddingDropout_DroppedWord_IsZeroAtEveryPositionOfTheBatch()
    {
        // Few words, many positions: each word occurs several times, and each is either zero everywhere or kept everywhere.
        var embedding = new Embedding(6, 4, dropout: 0.5f);
        embedding.Build([20], seed: 5);
        var ids = new Tensor([.. Enumerable.Range(0, 4 * 20).Select(i => (float)(1 + i * 7 % 5))], 4, 20);
        var y = embedding.Forward(ids, training: true).ToArray();
        var scales = embedding.DropoutMask!.ToArray();
        var weight = embedding.Parameters[0].Value.ToArray();
        var dropped = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = (int)ids.Span[i];
            var row = y.AsSpan(i * 4, 4).ToArray();
            if (scales[id] == 0f)
            {
                Assert.All(row, v => Assert.Equal(0f, v));
                dropped++;
            }
            else
            {
                for (var d = 0; d < 4; d++) Assert.Equal(weight[id * 4 + d] * 2f, row[d]);
            }
        }
        Assert.InRange(dropped, 1, ids.Length - 1);
    }

    [Fact]
    public void EmbeddingDropout_Inference_EqualsTheLayerWithout_AndTheRateIsKept()
    {
        var ids = new Tensor([1, 4, 2, 2, 0, 3], 2, 3);
        var with = new Embedding(5, 3, dropout: 0.3f);
        var without = new Embedding(5, 3);
        with.Build([3], seed: 2);
        without.Build([3], seed: 2);
        Assert.Equal(without.Forward(ids).ToArray(), with.Forward(ids).ToArray());
        Assert.Null(with.DropoutMask);

        var big = new Embedding(20_000, 1, dropout: 0.1f);
        big.Build([1], seed: 1);
        big.Forward(new Tensor([1], 1, 1), training: true);
        var first = big.DropoutMask!.ToArray();
        Assert.InRange(first.Count(v => v == 0f) / (double)first.Length, 0.09, 0.11);
        big.Forward(new Tensor([1], 1, 1), training: true);
        Assert.NotEqual(first, big.DropoutMask!.ToArray());
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void EmbeddingDropout_WithARecordedMask_MatchesPyTorch(KernelVariant variant)
    {
        var c = WeightDropoutTests.AwdCases("Embedding").Single();
        int v = c.GetProperty("vocab").GetInt32(), d = c.GetProperty("dim").GetInt32(), b = c.GetProperty("batch").GetInt32(), t = c.GetProperty("time").GetInt32();
        var p = c.GetProperty("p").GetSingle();
        static float[] Floats(JsonElement e) => [.. e.EnumerateArray().Select(x => (float)x.GetDouble())];
        static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetDouble())];
        var embedding = new Embedding(v, d, dropout: p) { Kernels = KernelSet.For(variant) };
        embedding.Build([t]);
        embedding.Parameters[0].Value.CopyFrom(new Tensor(Floats(c.GetProperty("weight")), v, d));
        embedding.DropoutMask = new Tensor([.. Floats(c.GetProperty("keep")).Select(k => k / (1f - p))], v);
        var y = embedding.Forward(new Tensor(Floats(c.GetProperty("ids")), b, t), training: true);
        Approx.Equal(Doubles(c.GetProperty("output")), y, 1e-5, "embedding dropout output");
        embedding.Backward(new Tensor(Floats(c.GetProperty("grad_output")), b, t, d));
        Approx.Equal(Doubles(c.GetProperty("grad").GetProperty("weight")), embedding.Parameters[0].Gradient, 1e-5, "embedding dropout grad.weight");
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void EmbeddingDropout_OutOfRange_IsRefusedWithItsName(float p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(5, 2, dropout: p));
        Assert.Contains("'dropout' must be in [0, 1)", e.Message, StringComparison.Ordinal);
    }
}
