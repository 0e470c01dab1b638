// QuantileLoss: the pinball loss against hand computations, its gradient against finite differences of the formula,
// its minimiser against the empirical quantile (brute force), and its settings through a model file.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Losses;

public sealed class QuantileLossTests
{
    [Fact]
    public void Compute_OneRow_MatchesHandComputation()
    {
        // Targets 1 and 3, quantiles 0.1 and 0.9: predictions (0, 2) for y = 1 and (4, 3) for y = 3.
        // u = 1, −1, −1, 0 → 0.1·1, 0.1·1, 0.9·1, 0 → mean (0.1 + 0.1 + 0.9 + 0) / 4 = 0.275.
        var d = Tensor.Zeros(1, 4);
        var value = new QuantileLoss([0.1f, 0.9f]).Compute(new Tensor([0f, 2f, 4f, 3f], 1, 4), new Tensor([1f, 3f], 1, 2), d);
        Assert.Equal(0.275f, value, 6);
        // ∂/∂p: −τ above, 1 − τ below, ½ − τ at a tie; each over the 4 predictions.
        Assert.Equal([-0.1f / 4, (1 - 0.9f) / 4, (1 - 0.1f) / 4, (0.5f - 0.9f) / 4], d.ToArray());
    }

    [Fact]
    public void Compute_ValueAndGradient_MatchFormula()
    {
        float[] quantiles = [0.05f, 0.25f, 0.5f, 0.75f, 0.95f];
        const int rows = 3, steps = 4, q = 5;
        var p = GradientCheck.RandomFloats(rows * steps * q, 7, 2f);
        var y = GradientCheck.RandomFloats(rows * steps, 8, 2f);
        double Reference(double[] v)
        {
            double total = 0;
            for (var i = 0; i < v.Length; i++)
            {
                var tau = (double)quantiles[i % q];
                var u = y[i / q] - v[i];
                total += (u >= 0 ? tau * u : (tau - 1) * u) / v.Length;
            }
            return total;
        }
        var d = Tensor.Zeros(rows, steps * q);
        var value = new QuantileLoss(quantiles).Compute(new Tensor(p, rows, steps * q), new Tensor(y, rows, steps), d);
        var values = new Dictionary<string, double[]> { ["p"] = [.. p.Select(v => (double)v)] };
        Assert.Equal(Reference(values["p"]), value, 6);
        GradientCheck.Assert(values, v => Reference(v["p"]), new Dictionary<string, Tensor> { ["p"] = d }, tol: 1e-5, eps: 1e-7);
    }

    [Fact]
    public void Fit_ConstantPrediction_ReachesTheEmpiricalQuantiles()
    {
        // A bias-only network fitted to 200 draws learns each quantile of them: brute force says which value minimises
        // the pinball loss (an order statistic), and the trained bias must land there.
        var rng = new Random(3);
        var draws = Enumerable.Range(0, 200).Select(_ => (float)(rng.NextDouble() * rng.NextDouble() * 10)).ToArray();
        float[] quantiles = [0.1f, 0.5f, 0.9f];
        var model = new Sequential(1, new Input(1), new Dense(3));
        model.Compile(new Adam(0.05f), new QuantileLoss(quantiles));
        model.Fit(Tensor.Zeros(200, 1), new Tensor(draws, 200, 1), new FitOptions { Epochs = 1000, BatchSize = 200, Seed = 1 });
        var predicted = model.Predict(Tensor.Zeros(1, 1)).ToArray();
        var sorted = draws.Order().ToArray();
        for (var k = 0; k < quantiles.Length; k++)
        {
            var tau = quantiles[k];
            double Pinball(float c) => draws.Sum(v => Math.Max(tau * (v - c), (tau - 1) * (v - c)));
            var best = sorted.MinBy(Pinball);
            Assert.True(Math.Abs(predicted[k] - best) < 0.1, $"τ = {tau}: the bias is {predicted[k]}, the minimiser {best}");
        }
    }

    [Fact]
    public void Constructor_And_Compute_RejectBadQuantilesAndShapes()
    {
        Assert.Contains("(0, 1)", Assert.Throws<ArgumentException>(() => new QuantileLoss([0.5f, 1f])).Message, StringComparison.Ordinal);
        Assert.Contains("increasing", Assert.Throws<ArgumentException>(() => new QuantileLoss([0.5f, 0.1f])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new QuantileLoss([]));
        var e = Assert.Throws<ArgumentException>(() => new QuantileLoss([0.1f, 0.9f]).Compute(Tensor.Zeros(2, 4), Tensor.Zeros(2, 4), Tensor.Zeros(2, 4)));
        Assert.Contains("targets shaped [2, 2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveLoad_KeepsTheQuantiles()
    {
        var path = Path.Combine(Path.GetTempPath(), $"quantile-{Guid.NewGuid():N}.safetensors");
        try
        {
            var model = new Sequential(1, new Input(2), new Dense(6));
            model.Compile(new Adam(0.01f), new QuantileLoss([0.1f, 0.5f, 0.9f]));
            model.Save(path);
            var loss = Assert.IsType<QuantileLoss>(Sequential.Load(path).Loss);
            Assert.Equal([0.1f, 0.5f, 0.9f], loss.Quantiles);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
