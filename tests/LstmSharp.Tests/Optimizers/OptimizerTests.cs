// Optimizers against their update rules computed by hand in double (PyTorch's torch.optim formulas), for
// several steps with changing gradients.
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Optimizers;

public sealed class OptimizerTests
{
    static readonly double[][] s_gradients = [[0.5, -1.0, 2.0], [0.1, 0.3, -0.7], [-0.4, 0.2, 0.05], [1.5, -0.5, 0.0]];
    static readonly double[] s_start = [1.0, -2.0, 0.25];

    static Parameter MakeParameter() => new("w", new Tensor(s_start.Select(v => (float)v).ToArray(), 3));

    static void Run(Optimizer optimizer, Func<int, double[], double[], double[]> expectedStep)
    {
        var p = MakeParameter();
        var w = (double[])s_start.Clone();
        for (var step = 0; step < s_gradients.Length; step++)
        {
            var g = s_gradients[step];
            for (var i = 0; i < 3; i++) p.Gradient.Span[i] = (float)g[i];
            optimizer.Step([p]);
            w = expectedStep(step + 1, w, g);
            for (var i = 0; i < 3; i++) Assert.Equal(w[i], p.Value.Span[i], 5);
        }
    }

    [Fact]
    public void Sgd_Plain_FollowsRule() => Run(new Sgd(0.1f), (_, w, g) => w.Select((v, i) => v - 0.1 * g[i]).ToArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sgd_Momentum_FollowsTorchRule(bool nesterov)
    {
        const double lr = 0.05, mu = 0.9;
        double[]? v = null;
        Run(new Sgd((float)lr, (float)mu, nesterov), (_, w, g) =>
        {
            v = v is null ? (double[])g.Clone() : v.Select((vi, i) => mu * vi + g[i]).ToArray();
            return w.Select((wi, i) => wi - lr * (nesterov ? g[i] + mu * v[i] : v[i])).ToArray();
        });
    }

    [Fact]
    public void Adam_FollowsRuleWithBiasCorrection()
    {
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var m = new double[3];
        var v = new double[3];
        Run(new Adam((float)lr), (t, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                var mHat = m[i] / (1 - Math.Pow(b1, t));
                var vHat = v[i] / (1 - Math.Pow(b2, t));
                next[i] = w[i] - lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            return next;
        });
    }

    [Fact]
    public void AdamW_DecaysThenAdam()
    {
        const double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var m = new double[3];
        var v = new double[3];
        Run(new AdamW((float)lr, (float)wd), (t, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                var decayed = w[i] * (1 - lr * wd);
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                next[i] = decayed - lr * (m[i] / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
            }
            return next;
        });
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.5f, true)]
    public void RmsProp_FollowsKerasRule(float momentum, bool centered)
    {
        const double lr = 0.01, rho = 0.9, eps = 1e-7;
        var v = new double[3];
        var mean = new double[3];
        var b = new double[3];
        Run(new RmsProp((float)lr, (float)rho, momentum, (float)eps, centered), (_, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                mean[i] = rho * mean[i] + (1 - rho) * g[i];
                var denominator = centered ? v[i] - mean[i] * mean[i] : v[i];
                var step = lr * g[i] / (Math.Sqrt(denominator) + eps);
                b[i] = momentum * b[i] + step;
                next[i] = w[i] - (momentum > 0 ? b[i] : step);
            }
            return next;
        });
    }

    [Fact]
    public void Adagrad_FollowsKerasRule()
    {
        const double lr = 0.1, eps = 1e-7;
        var a = Enumerable.Repeat(0.1, 3).ToArray();
        Run(new Adagrad((float)lr), (_, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                a[i] += g[i] * g[i];
                next[i] = w[i] - lr * g[i] / Math.Sqrt(a[i] + eps);
            }
            return next;
        });
    }

    [Fact]
    public void Clipping_ByValueThenGlobalNorm()
    {
        var p1 = new Parameter("a", Tensor.Zeros(2));
        var p2 = new Parameter("b", Tensor.Zeros(1));
        new[] { 3f, -4f }.CopyTo(p1.Gradient.Span);
        p2.Gradient.Span[0] = 12f;
        var sgd = new Sgd(1f) { ClipValue = 5f, GlobalClipNorm = 1f };
        sgd.Step([p1, p2]);
        // After value clipping the gradient is (3, −4, 5), norm √50; it is scaled to norm 1.
        var n = Math.Sqrt(50);
        Assert.Equal(Math.Sqrt(50), sgd.LastGradientNorm, 4);
        Assert.Equal(-3 / n, p1.Value.Span[0], 5);
        Assert.Equal(4 / n, p1.Value.Span[1], 5);
        Assert.Equal(-5 / n, p2.Value.Span[0], 5);
    }

    [Fact]
    public void FrozenParameter_IsNeitherUpdatedNorCountedInTheClipNorm()
    {
        var p1 = new Parameter("a", Tensor.Zeros(2));
        var frozen = new Parameter("b", Tensor.Zeros(1)) { Trainable = false };
        new[] { 3f, -4f }.CopyTo(p1.Gradient.Span);
        frozen.Gradient.Span[0] = 12f;
        var sgd = new Sgd(1f) { GlobalClipNorm = 1f };
        sgd.Step([p1, frozen]);
        // Only (3, −4) counts: norm 5, scaled to 1; the frozen value stays 0 and its gradient 12.
        Assert.Equal(5, sgd.LastGradientNorm, 5);
        Assert.Equal(-0.6, p1.Value.Span[0], 5);
        Assert.Equal(0.8, p1.Value.Span[1], 5);
        Assert.Equal(0f, frozen.Value.Span[0]);
        Assert.Equal(12f, frozen.Gradient.Span[0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adam_ParameterUnfrozenLate_BiasCorrectsFromItsOwnFirstStep(bool decoupled)
    {
        // PyTorch counts steps per parameter (state["step"]): b, frozen for 5 steps, takes its first step as step 1, where
        // m̂ = g and v̂ = g², so it moves by lr·g/(|g| + ε) (AdamW's decay is 0 here); a counts all 6.
        Optimizer adam = decoupled ? new AdamW(0.01f, weightDecay: 0f) : new Adam(0.01f);
        var a = new Parameter("a", Tensor.Zeros(1));
        var b = new Parameter("b", new Tensor([1f], 1)) { Trainable = false };
        for (var step = 0; step < 6; step++)
        {
            if (step == 5) b.Trainable = true;
            a.Gradient.Span[0] = 0.5f;
            b.Gradient.Span[0] = -0.25f;
            adam.Step([a, b]);
        }
        Assert.Equal(1 + 0.01 * 0.25 / (0.25 + 1e-7), b.Value.Span[0], 1e-6);
        Assert.Equal(6, adam.Iterations);
    }

    [Fact]
    public void Clipping_NormBelowLimit_LeavesGradient()
    {
        var p = new Parameter("a", Tensor.Zeros(2));
        new[] { 0.3f, 0.4f }.CopyTo(p.Gradient.Span);
        new Sgd(1f) { GlobalClipNorm = 1f }.Step([p]);
        Assert.Equal([-0.3f, -0.4f], p.Value.ToArray());
    }

    [Fact]
    public void Schedules_GiveKerasValues()
    {
        var exp = new ExponentialDecay(0.1f, 10, 0.5f);
        Assert.Equal(0.1f, exp.Rate(0), 6);
        Assert.Equal(0.05f, exp.Rate(10), 6);
        Assert.Equal(0.1 * Math.Pow(0.5, 0.5), exp.Rate(5), 6);
        Assert.Equal(0.1f, new ExponentialDecay(0.1f, 10, 0.5f, staircase: true).Rate(9), 6);
        var steps = new PiecewiseConstantDecay([100, 200], [1f, 0.5f, 0.1f]);
        Assert.Equal([1f, 0.5f, 0.5f, 0.1f], new long[] { 99, 100, 199, 500 }.Select(steps.Rate));
        var cosine = new CosineDecay(0.01f, 100, alpha: 0.1f, warmupSteps: 10, warmupTarget: 0.1f);
        Assert.Equal(0.01f, cosine.Rate(0), 6);
        Assert.Equal(0.055f, cosine.Rate(5), 6);
        Assert.Equal(0.1f, cosine.Rate(10), 6);
        Assert.Equal(0.1 * (0.9 * 0.5 + 0.1), cosine.Rate(60), 6);
        Assert.Equal(0.01f, cosine.Rate(1000), 6);
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([1], [1f]));
    }

    [Fact]
    public void Schedule_SetsLearningRateOfEachStep()
    {
        var p = new Parameter("a", Tensor.Zeros(1));
        p.Gradient.Span[0] = 1f;
        var sgd = new Sgd(1f) { Schedule = new PiecewiseConstantDecay([1], [0.5f, 0.25f]) };
        sgd.Step([p]);
        sgd.Step([p]);
        Assert.Equal(-0.75f, p.Value.Span[0], 6);
        Assert.Equal(0.25f, sgd.LearningRate);
    }

    [Fact]
    public void Optimizers_BadHyperParameters_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: 1f));
        Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: 0f));
        var adam = new Adam();
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = -1f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100_000)]
    public void Adam_VectorStep_IsBitForBitTheScalarReference(long t)
    {
        var rng = new Random(17);
        foreach (var n in new[] { 0, 1, 7, 8, 9, 31, 32, 33, 1_001 })
        {
            float Draw() => (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-8, 3)));
            float[] w = [.. Enumerable.Range(0, n).Select(_ => Draw())], g = [.. Enumerable.Range(0, n).Select(i => i % 5 == 0 ? 0f : Draw())];
            float[] m = [.. Enumerable.Range(0, n).Select(_ => Draw())], v = [.. Enumerable.Range(0, n).Select(_ => Math.Abs(Draw()))];
            var (w2, m2, v2) = (w.ToArray(), m.ToArray(), v.ToArray());
            Adam.Step(w, g, m, v, 0.003f, 0.9f, 0.999f, 1e-7f, t);
            Adam.StepScalar(w2, g, m2, v2, 0.003f, 0.9f, 0.999f, 1e-7f, t);
            for (var i = 0; i < n; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(w[i]) == BitConverter.SingleToInt32Bits(w2[i]), $"n {n}, w[{i}]: {w[i]} vs {w2[i]}");
                Assert.True(BitConverter.SingleToInt32Bits(m[i]) == BitConverter.SingleToInt32Bits(m2[i]), $"n {n}, m[{i}]");
                Assert.True(BitConverter.SingleToInt32Bits(v[i]) == BitConverter.SingleToInt32Bits(v2[i]), $"n {n}, v[{i}]");
            }
        }
    }
}
