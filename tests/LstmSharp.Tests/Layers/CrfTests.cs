// Crf and CrfLoss: the negative log-likelihood, its gradients and Viterbi against brute-force enumeration of every tag
// path (in double), central differences of that brute force, and PyTorch (crf.json, tools/torch_fixtures/make_crf_fixture.py).
using System.Text.Json;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class CrfTests
{
    /// <summary>A built CRF over <paramref name="k"/> tags with the given scores.</summary>
    static Crf Built(int k, float[] transitions, float[] start, float[] end, CrfConstraints? constraints = null)
    {
        var crf = new Crf(constraints);
        crf.Build([-1, k]);
        transitions.CopyTo(crf.Transitions.Value.Span);
        start.CopyTo(crf.StartTransitions.Value.Span);
        end.CopyTo(crf.EndTransitions.Value.Span);
        return crf;
    }

    static float[] Uniform(Random rng, int n, float scale = 1f) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale)];

    /// <summary>Every tag path over the real steps of one sequence, its score in double (−∞ when a constraint forbids it).</summary>
    static IEnumerable<(int[] Path, double Score)> Paths(double[] e, int[] steps, int k, double[] trans, double[] start, double[] end, CrfConstraints? c)
    {
        var n = steps.Length;
        var total = (int)Math.Pow(k, n);
        for (var code = 0; code < total; code++)
        {
            var path = new int[n];
            for (int i = n - 1, x = code; i >= 0; i--, x /= k) path[i] = x % k;
            var allowed = c is null || (c.Start[path[0]] && c.End[path[^1]]);
            var score = start[path[0]] + end[path[^1]];
            for (var i = 0; i < n; i++)
            {
                score += e[steps[i] * k + path[i]];
                if (i == 0) continue;
                score += trans[path[i - 1] * k + path[i]];
                allowed &= c is null || c.Transitions[path[i - 1] * k + path[i]];
            }
            yield return (path, allowed ? score : double.NegativeInfinity);
        }
    }

    static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        var max = v.Max();
        return max + Math.Log(v.Sum(x => Math.Exp(x - max)));
    }

    /// <summary>The brute-force loss: Σ_b NLL_b / batch, from every path.</summary>
    static double BruteLoss(double[] emissions, int b, int t, int k, double[] mask, int[] targets, double[] trans, double[] start, double[] end, CrfConstraints? c)
    {
        double total = 0;
        for (var row = 0; row < b; row++)
        {
            var steps = Enumerable.Range(0, t).Where(s => mask[row * t + s] != 0).ToArray();
            if (steps.Length == 0) continue;
            var e = emissions[(row * t * k)..((row + 1) * t * k)];
            var paths = Paths(e, steps, k, trans, start, end, c).ToArray();
            var target = steps.Select(s => targets[row * t + s]).ToArray();
            var targetScore = paths.Single(p => p.Path.SequenceEqual(target)).Score;
            total += LogSumExp(paths.Select(p => p.Score)) - targetScore;
        }
        return total / b;
    }

    sealed record Case(int B, int T, int K, float[] Emissions, float[] Mask, int[] Targets, float[] Transitions, float[] Start, float[] End, CrfConstraints? Constraints);

    /// <summary>3 tags, 4 steps: a full sequence, a prefix, a single step, and one with a hole in the middle.</summary>
    static Case Tiny(int seed, CrfConstraints? constraints = null)
    {
        var rng = new Random(seed);
        const int B = 4, T = 4, K = 3;
        float[] mask = [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1];
        var targets = new int[B * T];
        for (var i = 0; i < targets.Length; i++) targets[i] = mask[i] == 0 ? 0 : rng.Next(K);
        if (constraints is not null)
        {
            // targets that obey the constraints: the all-zeros path (tag 0 is allowed everywhere in these tests)
            Array.Clear(targets);
        }
        return new Case(B, T, K, Uniform(rng, B * T * K, 2f), mask, targets, Uniform(rng, K * K), Uniform(rng, K), Uniform(rng, K), constraints);
    }

    static (Crf Crf, double Loss, float[] DEmissions) Run(Case c)
    {
        var crf = Built(c.K, c.Transitions, c.Start, c.End, c.Constraints);
        var predicted = new Tensor(c.Emissions, c.B, c.T, c.K);
        var target = new Tensor([.. c.Targets.Select(v => (float)v)], c.B, c.T);
        var d = Tensor.Zeros(c.B, c.T, c.K);
        var loss = new CrfLoss(crf).Compute(predicted, target, d, new Tensor(c.Mask, c.B * c.T));
        return (crf, loss, d.Span.ToArray());
    }

    static double[] D(float[] v) => [.. v.Select(x => (double)x)];

    /// <summary>BIO over O, B-A, I-A: I-A only after B-A or I-A, never first.</summary>
    static readonly CrfConstraints Bio3 = CrfConstraints.Create(3, (from, to) => to != 2 || from is 1 or 2);

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void CrfLoss_EqualsBruteForceOverEveryPath(int seed, bool constrained)
    {
        var c = Tiny(seed, constrained ? Bio3 : null);
        var (_, loss, _) = Run(c);
        var expected = BruteLoss(D(c.Emissions), c.B, c.T, c.K, D(c.Mask), c.Targets, D(c.Transitions), D(c.Start), D(c.End), c.Constraints);
        Assert.Equal(expected, loss, 1e-5);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void CrfLoss_Gradients_MatchCentralDifferencesOfTheBruteForce(int seed, bool constrained)
    {
        var c = Tiny(seed, constrained ? Bio3 : null);
        var (crf, _, dEmissions) = Run(c);
        double[] e = D(c.Emissions), trans = D(c.Transitions), start = D(c.Start), end = D(c.End), mask = D(c.Mask);
        const double h = 1e-6;
        double Loss() => BruteLoss(e, c.B, c.T, c.K, mask, c.Targets, trans, start, end, c.Constraints);
        void Check(double[] values, ReadOnlySpan<float> analytic, string what)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var keep = values[i];
                values[i] = keep + h;
                var plus = Loss();
                values[i] = keep - h;
                var minus = Loss();
                values[i] = keep;
                Assert.True(Math.Abs((plus - minus) / (2 * h) - analytic[i]) < 1e-6, $"{what}[{i}]: numeric {(plus - minus) / (2 * h)}, analytic {analytic[i]}");
            }
        }
        Check(e, dEmissions, "emissions");
        Check(trans, crf.Transitions.Gradient.Span, "transitions");
        Check(start, crf.StartTransitions.Gradient.Span, "start");
        Check(end, crf.EndTransitions.Gradient.Span, "end");
        for (var i = 0; i < c.B * c.T; i++)
            if (c.Mask[i] == 0) Assert.All(dEmissions[(i * c.K)..((i + 1) * c.K)], v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(6, false)]
    [InlineData(7, true)]
    public void Crf_Decode_IsTheBruteForceArgmax(int seed, bool constrained)
    {
        var c = Tiny(seed, constrained ? Bio3 : null);
        var crf = Built(c.K, c.Transitions, c.Start, c.End, c.Constraints);
        var paths = crf.Decode(new Tensor(c.Emissions, c.B, c.T, c.K), new Tensor(c.Mask, c.B, c.T), out var scores);
        for (var row = 0; row < c.B; row++)
        {
            var steps = Enumerable.Range(0, c.T).Where(s => c.Mask[row * c.T + s] != 0).ToArray();
            var best = Paths(D(c.Emissions)[(row * c.T * c.K)..((row + 1) * c.T * c.K)], steps, c.K, D(c.Transitions), D(c.Start), D(c.End), c.Constraints)
                .MaxBy(p => p.Score);
            Assert.Equal(best.Path, paths[row]);
            Assert.Equal(best.Score, scores[row], 1e-5);
        }
    }

    [Fact]
    public void Crf_Constraints_KeepEveryDecodedPathAllowed()
    {
        // Emissions that favour I-A right after O: the constrained CRF must never decode it.
        var rng = new Random(8);
        var crf = Built(3, Uniform(rng, 9), Uniform(rng, 3), Uniform(rng, 3), Bio3);
        var emissions = Uniform(rng, 6 * 10 * 3, 3f);
        for (var r = 0; r < 60; r++) emissions[r * 3 + 2] += 2f;
        foreach (var path in crf.Decode(new Tensor(emissions, 6, 10, 3)))
        {
            Assert.NotEqual(2, path[0]);
            for (var i = 1; i < path.Length; i++) Assert.False(path[i] == 2 && path[i - 1] == 0, $"I-A after O in {string.Join(" ", path)}");
        }
    }

    [Fact]
    public void CrfLoss_RefusesForbiddenTargetsBadIdsAndUnevenWeights()
    {
        var c = Tiny(9, Bio3) with { Targets = [2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
        var e = Assert.Throws<ArgumentException>(() => Run(c));
        Assert.Contains("forbid", e.Message);
        var bad = Tiny(9) with { Targets = [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
        Assert.Contains("[0, 2]", Assert.Throws<ArgumentException>(() => Run(bad)).Message);
        var uneven = Tiny(9) with { Mask = [1, 2, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1] };
        Assert.Contains("whole sequences", Assert.Throws<ArgumentException>(() => Run(uneven)).Message);
    }

    [Fact]
    public void CrfLoss_MatchesPyTorch()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", "crf.json")));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(3, cases.Length);
        foreach (var fixture in cases)
        {
            float[] F(string name) => [.. fixture.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble())];
            bool[] Flags(string name) => [.. fixture.GetProperty(name).EnumerateArray().Select(v => v.GetInt32() == 1)];
            int b = fixture.GetProperty("batch").GetInt32(), t = fixture.GetProperty("steps").GetInt32(), k = fixture.GetProperty("tags").GetInt32();
            var lengths = fixture.GetProperty("lengths").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var constraints = fixture.TryGetProperty("allowed", out _) ? CrfConstraints.Validated(Flags("allowed"), Flags("allowed_start"), Flags("allowed_end")) : null;
            var mask = new float[b * t];
            for (var row = 0; row < b; row++)
                for (var s = 0; s < lengths[row]; s++) mask[row * t + s] = 1;
            var c = new Case(b, t, k, F("emissions"), mask, [.. fixture.GetProperty("targets").EnumerateArray().Select(v => v.GetInt32())],
                F("transitions"), F("start"), F("end"), constraints);
            var (crf, loss, dEmissions) = Run(c);
            var name = fixture.GetProperty("name").GetString();
            Assert.True(Math.Abs(fixture.GetProperty("loss").GetDouble() - loss) < 1e-5, $"{name}: loss {loss}");
            AssertClose(F("grad_emissions"), dEmissions, $"{name} grad_emissions");
            AssertClose(F("grad_transitions"), crf.Transitions.Gradient.Span.ToArray(), $"{name} grad_transitions");
            AssertClose(F("grad_start"), crf.StartTransitions.Gradient.Span.ToArray(), $"{name} grad_start");
            AssertClose(F("grad_end"), crf.EndTransitions.Gradient.Span.ToArray(), $"{name} grad_end");
            var paths = crf.Decode(new Tensor(c.Emissions, b, t, k), new Tensor(mask, b, t), out var scores);
            var expected = fixture.GetProperty("viterbi").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
            var expectedScores = F("viterbi_score");
            for (var row = 0; row < b; row++)
            {
                Assert.Equal(expected[row], paths[row]);
                Assert.True(Math.Abs(expectedScores[row] - scores[row]) < 1e-5, $"{name}: Viterbi score {row}");
            }
        }
    }

    static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"{what}[{i}]: torch {expected[i]}, ours {actual[i]}");
    }

    /// <summary>Dense → Crf with CrfLoss in a model: it learns a tagging rule, saves and loads with its constraints and loss.</summary>
    [Fact]
    public void Crf_InAModel_LearnsSavesAndLoads()
    {
        // Tag 1 (B) on a step whose feature is positive after a non-positive one, tag 2 (I) on a positive step after a positive one, else 0 (O).
        var rng = new Random(10);
        const int N = 64, T = 6;
        var x = Uniform(rng, N * T);
        var y = new float[N * T];
        for (var n = 0; n < N; n++)
            for (var s = 0; s < T; s++)
                y[n * T + s] = x[n * T + s] <= 0 ? 0 : s > 0 && x[n * T + s - 1] > 0 ? 2 : 1;
        var input = new Input([T, 1]);
        var crf = new Crf(Bio3);
        var model = new Model([input], [crf.Call(new Dense(3).Call(new Lstm(8, new LstmOptions { ReturnSequences = true }).Call(input)))], seed: 3);
        model.Compile(new Adam(0.05f), new CrfLoss(crf));
        var xs = new Tensor(x, N, T, 1);
        var ys = new Tensor(y, N, T);
        var first = model.Evaluate(xs, ys)["loss"];
        model.Fit(xs, ys, new FitOptions { Epochs = 40, BatchSize = 16 });
        var last = model.Evaluate(xs, ys)["loss"];
        Assert.True(last < first * 0.2, $"loss {first} → {last}");
        var paths = crf.Decode(model.Predict(xs));
        var correct = paths.SelectMany((p, n) => p.Select((tag, s) => tag == (int)y[n * T + s])).Count(ok => ok);
        Assert.True(correct > 0.95 * N * T, $"{correct} of {N * T} tags right");

        var path = Path.Combine(Path.GetTempPath(), $"crf-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            var loadedCrf = loaded.Layers.OfType<Crf>().Single();
            Assert.Equal(Bio3.Transitions, loadedCrf.Constraints!.Transitions);
            Assert.Equal(paths, loadedCrf.Decode(loaded.Predict(xs)));
            Assert.Equal(last, loaded.Evaluate(xs, ys)["loss"], 1e-6);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CrfLoss_LossWeight_ScalesTheTransitionGradientsToo()
    {
        // One SGD step from the same weights with loss weight 1 and 2: every parameter moves exactly twice as far.
        var rng = new Random(11);
        var x = new Tensor(Uniform(rng, 4 * 5 * 2), 4, 5, 2);
        var y = new Tensor([.. Enumerable.Range(0, 20).Select(i => (float)(i % 3))], 4, 5);
        float[][] Step(float weight)
        {
            var input = new Input([5, 2]);
            var crf = new Crf(name: "crf");
            var output = crf.Call(new Dense(3, name: "emissions").Call(input));
            var model = new Model([input], [output], seed: 4);
            model.Compile(new Sgd(0.1f), new Dictionary<string, Loss> { [output.Name] = new CrfLoss(crf) }, new Dictionary<string, float> { [output.Name] = weight });
            var before = model.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
            model.TrainOnBatch(x, y);
            return [.. model.Parameters.Select((p, i) => p.Value.Span.ToArray().Select((v, j) => v - before[i][j]).ToArray())];
        }
        var (one, two) = (Step(1f), Step(2f));
        for (var i = 0; i < one.Length; i++)
            for (var j = 0; j < one[i].Length; j++) Assert.Equal(2 * one[i][j], two[i][j], 1e-6);
    }
}
