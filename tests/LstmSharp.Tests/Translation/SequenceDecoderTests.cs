// SequenceDecoder on a tiny untrained encoder–decoder (V = 5, H = 4, seeded weights): beam search that prunes
// nothing equals exhaustive search over every sequence within the limit (each teacher-forced through the step
// model), beam 1 equals greedy, n-best lists are sorted and distinct, results are reproducible, options are checked,
// and a warmed-up beam step allocates nothing.
using LstmSharp.Layers;
using LstmSharp.Translation;
using Xunit;

namespace LstmSharp.Tests.Translation;

public sealed class SequenceDecoderTests
{
    const int V = 5, H = 4, E = 3, Start = 1, End = 2;

    /// <summary>An encoder and a one-step decoder sharing a seeded model's layers; weights scaled so the softmax is not flat.</summary>
    static (Model Encoder, Model Step) TinySeq2Seq(int seed, float scale = 3f, float endBias = 0f)
    {
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var (_, states) = new Lstm(H, new() { Name = "encoder" }).CallWithState(new Embedding(V, E).Call(source));
        var decoder = new Lstm(H, new() { ReturnSequences = true, Name = "decoder" });
        var embedding = new Embedding(V, E);
        var head = new TimeDistributed(new Dense(V), "head");
        var model = new Model([source, target], [head.Call(decoder.Call(embedding.Call(target), states))], seed: seed);
        var weights = model.GetWeights().ToDictionary(w => w.Key, w => w.Value);
        foreach (var (key, w) in weights)
        {
            foreach (ref var x in w.Span) x *= scale;
            if (key.StartsWith("head", StringComparison.Ordinal) && key.EndsWith("bias", StringComparison.Ordinal)) w.Span[End] += endBias;
        }
        model.SetWeights(weights);
        var encoder = new Model([source], [.. states]);
        var token = new Input(1) { Name = "token" };
        var (h, c) = (new Input(H) { Name = "h" }, new Input(H) { Name = "c" });
        var (step, next) = decoder.CallWithState(embedding.Call(token), [h, c]);
        return (encoder, new Model([token, h, c], [head.Call(step), .. next]));
    }

    static Tensor Source(params int[] ids) => new([.. ids.Select(i => (float)i)], 1, ids.Length);

    /// <summary>
    /// Every output sequence within <paramref name="maxLength"/> steps: y₁ … y_L with no padding id and no end token
    /// before the last, where y_L is the end token (finished) or L = maxLength (cut). Log-probabilities by feeding
    /// each prefix through the step model one token at a time (batch 1, <see cref="Model.Predict(IReadOnlyList{Tensor}, int, Tensor?)"/>).
    /// </summary>
    static List<Hypothesis> Exhaustive(Model encoder, Model step, Tensor source, int maxLength, double alpha)
    {
        var all = new List<Hypothesis>();
        var states = encoder.Predict([source]);
        void Walk(List<int> prefix, double logProbability, Tensor h, Tensor c)
        {
            var token = Tensor.Full(prefix.Count == 0 ? Start : prefix[^1], 1, 1);
            var outputs = step.Predict([token, h, c]);
            var logits = outputs[0].Span;
            var max = double.NegativeInfinity;
            foreach (var x in logits) max = Math.Max(max, x);
            var sum = 0.0;
            foreach (var x in logits) sum += Math.Exp(x - max);
            var steps = prefix.Count + 1;
            for (var y = 1; y < V; y++)
            {
                var lp = logProbability + (logits[y] - max - Math.Log(sum));
                if (y == End || steps == maxLength)
                {
                    var tokens = y == End ? prefix.ToArray() : [.. prefix, y];
                    all.Add(new Hypothesis(tokens, y == End, lp, lp / Hypothesis.LengthPenalty(steps, alpha)));
                }
                else
                {
                    Walk([.. prefix, y], lp, outputs[1], outputs[2]);
                }
            }
        }
        Walk([], 0, states[0], states[1]);
        return [.. all.OrderByDescending(x => x.Score)];
    }

    static void AssertSame(Hypothesis expected, Hypothesis actual)
    {
        Assert.Equal(expected.Tokens, actual.Tokens);
        Assert.Equal(expected.Finished, actual.Finished);
        Assert.Equal(expected.LogProbability, actual.LogProbability, 1e-4);
        Assert.Equal(expected.Score, actual.Score, 1e-4);
    }

    static readonly int[][] Sources = [[3, 4, 3], [4], [3, 3, 4, 4, 3], [4, 3, 0, 0]];

    // A beam prunes nothing when K holds every candidate of the steps before the last: (V − 1) continuations (no
    // padding) of the (V − 2)^(t − 1) live prefixes at step t, at most (V − 1)(V − 2)^(L − 2). The end token's
    // candidates then always rank below K, and the last step keeps the best. For L = 2 that is V − 1: beam = V.
    [Theory]
    [InlineData(2, V, 0.0)]
    [InlineData(3, (V - 1) * (V - 2), 0.0)]
    [InlineData(4, (V - 1) * (V - 2) * (V - 2), 0.0)]
    [InlineData(3, (V - 1) * (V - 2), 0.6)]
    [InlineData(4, (V - 1) * (V - 2) * (V - 2), 1.0)]
    public void Beam_PruningNothing_EqualsExhaustiveSearch(int maxLength, int beamSize, double alpha)
    {
        var shapes = new HashSet<(int, bool)>();
        foreach (var (seed, endBias) in new[] { (1, 0f), (2, -1f), (3, -2f), (4, -3f) })
        {
            var (encoder, step) = TinySeq2Seq(seed, endBias: endBias);   // end tokens of several likelihoods, so the best hypotheses vary
            var decoder = new SequenceDecoder(encoder, step, new() { StartId = Start, EndId = End, MaxLength = maxLength });
            foreach (var ids in Sources)
            {
                var source = Source(ids);
                var expected = Exhaustive(encoder, step, source, maxLength, alpha);
                var nBest = Math.Min(3, beamSize);
                var actual = decoder.Beam(source, beamSize, alpha, nBest);
                Assert.Equal(nBest, actual.Count);
                for (var i = 0; i < nBest; i++) AssertSame(expected[i], actual[i]);
                shapes.Add((expected[0].Steps, expected[0].Finished));
            }
        }
        Assert.True(shapes.Count > 1, $"The best sequences all have (steps, finished) = {string.Join(", ", shapes)}: the cases test too little.");
    }

    [Fact]
    public void Beam_OfOne_EqualsGreedy()
    {
        var differs = 0;
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            var (encoder, step) = TinySeq2Seq(seed, endBias: -1f);
            var decoder = new SequenceDecoder(encoder, step, new() { StartId = Start, EndId = End, MaxLength = 12 });
            foreach (var ids in Sources)
            {
                var greedy = decoder.Greedy(Source(ids));
                var beam = decoder.Beam(Source(ids), beamSize: 1);
                AssertSame(greedy, Assert.Single(beam));
                if (decoder.Beam(Source(ids), beamSize: 4)[0].Tokens.SequenceEqual(greedy.Tokens) is false) differs++;
            }
        }
        Assert.True(differs > 0, "A wider beam never found anything else than greedy: the cases test too little.");
    }

    [Fact]
    public void Beam_NBest_IsSortedAndDistinct()
    {
        var (encoder, step) = TinySeq2Seq(2, endBias: -1f);
        var decoder = new SequenceDecoder(encoder, step, new() { StartId = Start, EndId = End, MaxLength = 8 });
        foreach (var alpha in new[] { 0.0, 0.6, 1.0 })
            foreach (var ids in Sources)
            {
                var best = decoder.Beam(Source(ids), beamSize: 6, alpha, nBest: 6);
                Assert.Equal(6, best.Count);
                for (var i = 1; i < best.Count; i++) Assert.True(best[i - 1].Score >= best[i].Score, $"n-best not sorted at {i}: {best[i - 1].Score} < {best[i].Score}");
                Assert.Equal(best.Count, best.Select(b => $"{string.Join(' ', b.Tokens)}|{b.Finished}").Distinct().Count());
                foreach (var b in best)
                {
                    Assert.True(b.Steps <= 8);
                    Assert.True(b.Finished || b.Steps == 8, "A hypothesis that did not end must have reached the limit.");
                    Assert.DoesNotContain(End, b.Tokens);
                    Assert.DoesNotContain(0, b.Tokens);
                    Assert.Equal(b.LogProbability / Hypothesis.LengthPenalty(b.Steps, alpha), b.Score, 1e-12);
                }
            }
    }

    [Fact]
    public void Beam_SameInput_GivesSameOutput()
    {
        IReadOnlyList<Hypothesis> Run(SequenceDecoder decoder) => decoder.Beam(Source(3, 4, 3), beamSize: 5, lengthPenalty: 0.6, nBest: 5);
        var (encoder, step) = TinySeq2Seq(3, endBias: -1f);
        var decoder = new SequenceDecoder(encoder, step, new() { MaxLength = 10 });
        var first = Run(decoder);
        decoder.Greedy(Source(4));   // other buffers and another batch size in between
        var again = Run(decoder);
        var (encoder2, step2) = TinySeq2Seq(3, endBias: -1f);
        var fresh = Run(new SequenceDecoder(encoder2, step2, new() { MaxLength = 10 }));
        foreach (var other in new[] { again, fresh })
        {
            Assert.Equal(first.Count, other.Count);
            for (var i = 0; i < first.Count; i++)
            {
                Assert.Equal(first[i].Tokens, other[i].Tokens);
                Assert.Equal(first[i].Finished, other[i].Finished);
                Assert.Equal(first[i].LogProbability, other[i].LogProbability);   // bit-identical
                Assert.Equal(first[i].Score, other[i].Score);
            }
        }
    }

    [Fact]
    public void Beam_BadArguments_ThrowNamingTheArgument()
    {
        var (encoder, step) = TinySeq2Seq(1);
        var decoder = new SequenceDecoder(encoder, step);
        var source = Source(3, 4);
        Assert.Equal("beamSize", Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Beam(source, beamSize: 0)).ParamName);
        Assert.Equal("nBest", Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Beam(source, beamSize: 2, nBest: 3)).ParamName);
        Assert.Equal("nBest", Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Beam(source, beamSize: 2, nBest: 0)).ParamName);
        Assert.Equal("lengthPenalty", Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Beam(source, lengthPenalty: -0.5)).ParamName);
        Assert.Equal("MaxLength", Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDecoder(encoder, step, new() { MaxLength = 0 })).ParamName);
        Assert.Equal("StartId", Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDecoder(encoder, step, new() { StartId = 0 })).ParamName);
        Assert.Equal("MaxLengthRatio", Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceDecoder(encoder, step, new() { MaxLengthRatio = -1f })).ParamName);
        var outOfVocabulary = new SequenceDecoder(encoder, step, new() { EndId = V });
        Assert.Contains("vocabulary size 5", Assert.Throws<InvalidOperationException>(() => outOfVocabulary.Greedy(source)).Message, StringComparison.Ordinal);
        Assert.Equal("sourceIds", Assert.Throws<ArgumentException>(() => decoder.Greedy(Tensor.Zeros(2, 3))).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentException>(() => new SequenceDecoder(encoder, encoder)).ParamName);
    }

    [Fact]
    public void MaxLengthRatio_LimitsBySourceLength()
    {
        var (encoder, step) = TinySeq2Seq(1, endBias: -30f);   // the end token never wins: every output runs to the limit
        var decoder = new SequenceDecoder(encoder, step, new() { MaxLength = 9, MaxLengthRatio = 1.5f, MaxLengthOffset = 1 });
        Assert.Equal(4, decoder.Greedy(Source(3, 4)).Steps);               // ⌈1.5 · 2⌉ + 1
        Assert.Equal(6, decoder.Greedy(Source(3, 4, 3, 0, 0)).Steps);      // padding does not count: ⌈1.5 · 3⌉ + 1
        Assert.Equal(9, decoder.Beam(Source(3, 4, 3, 4, 3, 4, 3), beamSize: 3)[0].Steps);   // capped by MaxLength
        Assert.False(decoder.Greedy(Source(3)).Finished);
    }

    [Fact]
    public void Beam_WarmedUp_AllocatesNothingPerStep()
    {
        var (encoder, step) = TinySeq2Seq(1, endBias: -30f);   // nothing ends early, so a longer limit means more steps
        var (longDecoder, shortDecoder) = (new SequenceDecoder(encoder, step, new() { MaxLength = 40 }), new SequenceDecoder(encoder, step, new() { MaxLength = 10 }));
        var source = Source(3, 4, 3);
        long Allocated(SequenceDecoder decoder)
        {
            decoder.Beam(source, beamSize: 4, lengthPenalty: 0.6, nBest: 2);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var result = decoder.Beam(source, beamSize: 4, lengthPenalty: 0.6, nBest: 2);
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.All(result, h => Assert.Equal(decoder.Options.MaxLength, h.Steps));
            return bytes;
        }
        var (shortBytes, longBytes) = (Allocated(shortDecoder), Allocated(longDecoder));
        // 30 more steps; the only growth allowed is the two results' 30 more tokens each (4 bytes, plus array padding).
        Assert.True(longBytes - shortBytes <= 2 * 30 * 4 + 64, $"30 more steps allocated {longBytes - shortBytes} more bytes ({shortBytes} → {longBytes}).");
        Assert.True(shortBytes < 4096, $"A warmed-up search allocated {shortBytes} bytes.");
    }
}
