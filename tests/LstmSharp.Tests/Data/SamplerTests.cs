// Sampling: greedy and top-k = 1 pick the argmax, top-k and top-p keep exactly the expected tokens, empirical
// frequencies match softmax(logits / T) by a chi-square test, the same seed repeats, and Next allocates nothing.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class SamplerTests
{
    static readonly float[] s_logits = [0.3f, 2.1f, -1.0f, 1.4f, 0.9f, -0.2f, 1.9f, float.NegativeInfinity];

    static double[] Softmax(float[] logits, double temperature)
    {
        var max = logits.Max();
        var e = logits.Select(l => Math.Exp((l - max) / temperature)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    static int[] Counts(TokenSampler sampler, float[] scores, SamplingOptions options, int draws)
    {
        var counts = new int[scores.Length];
        for (var i = 0; i < draws; i++) counts[sampler.Next(scores, options)]++;
        return counts;
    }

    [Fact]
    public void Next_TemperatureZeroOrTopKOne_PicksTheArgMax()
    {
        var sampler = new TokenSampler(1);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(1, sampler.Next(s_logits, new() { FromLogits = true, Temperature = 0f }));
            Assert.Equal(1, sampler.Next(s_logits, new() { FromLogits = true, TopK = 1 }));
            Assert.Equal(1, sampler.Next(s_logits, new() { FromLogits = true, TopK = 1, Temperature = 5f }));
            Assert.Equal(2, sampler.Next([0.1f, 0.2f, 0.5f, 0.2f], new() { Temperature = 0f }));
        }
    }

    [Fact]
    public void Next_TopKThree_NeverLeavesTheTopThree()
    {
        var counts = Counts(new TokenSampler(2), s_logits, new() { FromLogits = true, TopK = 3, Temperature = 3f }, 10_000);
        int[] top = [1, 6, 3];
        for (var i = 0; i < counts.Length; i++)
        {
            if (top.Contains(i)) Assert.True(counts[i] > 1000, $"token {i} drawn {counts[i]} times");
            else Assert.Equal(0, counts[i]);
        }
    }

    [Fact]
    public void Distribution_TopP_KeepsTheSmallestSetReachingP()
    {
        float[] probabilities = [0.1f, 0.3f, 0.15f, 0.25f, 0.2f];
        var p = new float[5];
        Sampler.Distribution(probabilities, new() { TopP = 0.5f }, p);   // 0.3 + 0.25 = 0.55 ≥ 0.5
        Assert.Equal([0f, 0.3f / 0.55f, 0f, 0.25f / 0.55f, 0f], p, new RoundedComparer());
        Sampler.Distribution(probabilities, new() { TopP = 0.3f }, p);   // the top token alone reaches 0.3
        Assert.Equal([0f, 1f, 0f, 0f, 0f], p);
        Sampler.Distribution(probabilities, new() { TopP = 0.76f }, p);  // 0.3 + 0.25 + 0.2 = 0.75 < 0.76: one more
        Assert.Equal([0f, 0.3f / 0.9f, 0.15f / 0.9f, 0.25f / 0.9f, 0.2f / 0.9f], p, new RoundedComparer());
        Sampler.Distribution(probabilities, new() { TopK = 2, TopP = 0.6f }, p);   // top-k first, then 0.3 / 0.55 < 0.6: both kept
        Assert.Equal([0f, 0.3f / 0.55f, 0f, 0.25f / 0.55f, 0f], p, new RoundedComparer());

        var counts = Counts(new TokenSampler(3), probabilities, new() { TopP = 0.5f }, 10_000);
        Assert.Equal(10_000, counts[1] + counts[3]);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Next_Logits_FrequenciesMatchSoftmaxOverTemperature(double temperature)
    {
        const int draws = 200_000;
        var counts = Counts(new TokenSampler(4), s_logits, new() { FromLogits = true, Temperature = (float)temperature }, draws);
        var expected = Softmax(s_logits, temperature);
        Assert.Equal(0, counts[^1]);   // −∞ is never drawn
        double chiSquare = 0;
        var cells = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] * draws < 5) continue;
            var e = expected[i] * draws;
            chiSquare += (counts[i] - e) * (counts[i] - e) / e;
            cells++;
        }
        // At most 6 degrees of freedom here: the 0.999 quantile is 22.5.
        Assert.True(chiSquare < 22.5, $"chi-square {chiSquare:F1} over {cells} cells; counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void Next_ProbabilitiesWithTemperature_MatchesLogitsOfTheirLogs()
    {
        var probabilities = Softmax(s_logits, 1.0).Select(v => (float)v).ToArray();
        var fromProbabilities = new float[probabilities.Length];
        var fromLogits = new float[probabilities.Length];
        Sampler.Distribution(probabilities, new() { Temperature = 0.7f }, fromProbabilities);
        Sampler.Distribution(s_logits, new() { Temperature = 0.7f, FromLogits = true }, fromLogits);
        for (var i = 0; i < probabilities.Length; i++) Assert.Equal(fromLogits[i], fromProbabilities[i], 1e-5f);
    }

    [Fact]
    public void Next_SameSeed_SameSequence()
    {
        var options = new SamplingOptions { FromLogits = true, Temperature = 1.3f, TopK = 5, TopP = 0.9f };
        var a = new TokenSampler(42);
        var b = new TokenSampler(42);
        var first = Enumerable.Range(0, 500).Select(_ => a.Next(s_logits, options)).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 500).Select(_ => b.Next(s_logits, options)));
        var other = new TokenSampler(43);
        Assert.NotEqual(first, Enumerable.Range(0, 500).Select(_ => other.Next(s_logits, options)).ToArray());
    }

    [Fact]
    public void Sample_WithRandom_DrawsFromTheFilteredSet()
    {
        var random = new Random(5);
        for (var i = 0; i < 1000; i++)
            Assert.Contains(Sampler.Sample(s_logits, new() { FromLogits = true, TopK = 2 }, random), new[] { 1, 6 });
    }

    [Fact]
    public void Next_AfterWarmUp_AllocatesNothing()
    {
        var sampler = new TokenSampler(6);
        var logits = Enumerable.Range(0, 80).Select(i => MathF.Sin(i * 0.37f) * 3f).ToArray();
        var options = new SamplingOptions { FromLogits = true, Temperature = 0.8f, TopK = 20, TopP = 0.95f };
        sampler.Next(logits, options);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) sampler.Next(logits, options);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Next_BadScoresOrOptions_Throw()
    {
        var sampler = new TokenSampler(7);
        Assert.Contains("set FromLogits", Assert.Throws<ArgumentException>(() => sampler.Next([0.5f, -1f])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => sampler.Next([float.NaN, 1f], new() { FromLogits = true }));
        Assert.Throws<ArgumentException>(() => sampler.Next([float.NegativeInfinity], new() { FromLogits = true }));
        Assert.Throws<ArgumentException>(() => sampler.Next([0f, 0f]));
        Assert.Throws<ArgumentException>(() => sampler.Next([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = -1f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopK = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 0f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 1.5f });
    }

    sealed class RoundedComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-6f;

        public int GetHashCode(float obj) => 0;
    }
}
