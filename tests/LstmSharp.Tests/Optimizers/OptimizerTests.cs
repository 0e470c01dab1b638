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
}
