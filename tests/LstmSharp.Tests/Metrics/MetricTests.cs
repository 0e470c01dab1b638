using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Metrics;

public sealed class MetricTests
{
    static float Measure(Metric metric, Tensor p, Tensor y)
    {
        metric.Reset();
        metric.Update(p, y);
        return metric.Result();
    }

    [Fact]
    public void Metrics_MatchHandComputedValues()
    {
        var probs = new Tensor([0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.2f, 0.2f, 0.6f], 3, 3);
        Assert.Equal(2f / 3, Measure(new SparseCategoricalAccuracy(), probs, new Tensor([1f, 1f, 2f], 3)), 6);
        Assert.Equal(1f / 3, Measure(new CategoricalAccuracy(), probs, new Tensor([0f, 1f, 0f, 0f, 0f, 1f, 1f, 0f, 0f], 3, 3)), 6);
        Assert.Equal(0.75f, Measure(new BinaryAccuracy(), new Tensor([0.9f, 0.2f, 0.6f, 0.4f], 4), new Tensor([1f, 0f, 0f, 0f], 4)), 6);
        Assert.Equal(1.5f, Measure(new MeanAbsoluteErrorMetric(), new Tensor([1f, 2f], 2), new Tensor([0f, 4f], 2)), 6);
        Assert.Equal(MathF.Sqrt(2.5f), Measure(new RootMeanSquaredError(), new Tensor([1f, 2f], 2), new Tensor([0f, 4f], 2)), 5);
        var perplexity = Math.Exp(-(Math.Log(0.7) + Math.Log(0.3) + Math.Log(0.6)) / 3);
        Assert.Equal(perplexity, Measure(new Perplexity(), probs, new Tensor([1f, 1f, 2f], 3)), 4);
        // From logits: log-softmax of equal logits is −log 3 everywhere.
        Assert.Equal(3f, Measure(new Perplexity(fromLogits: true), Tensor.Zeros(2, 3), new Tensor([0f, 2f], 2)), 4);
    }

    [Fact]
    public void Metric_AccumulatesAcrossBatches()
    {
        var m = new BinaryAccuracy();
        m.Reset();
        m.Update(new Tensor([0.9f], 1), new Tensor([1f], 1));
        m.Update(new Tensor([0.9f, 0.9f, 0.1f], 3), new Tensor([0f, 0f, 0f], 3));
        Assert.Equal(0.5f, m.Result());
    }

    [Fact]
    public void Fit_LogsMetricsAndValidationMetrics()
    {
        // Classify 3-step sequences by the sign of their sum.
        var rng = new Random(2);
        var x = Tensor.Zeros(200, 3, 1);
        var y = Tensor.Zeros(200);
        for (var s = 0; s < 200; s++)
        {
            float sum = 0;
            for (var t = 0; t < 3; t++) sum += x.Span[s * 3 + t] = (float)(rng.NextDouble() * 2 - 1);
            y.Span[s] = sum > 0 ? 1 : 0;
        }
        var model = new Sequential(3, new Input(3, 1), new Gru(8), new Dense(2, Activation.Softmax));
        model.Compile(new Adam(0.02f), new SparseCategoricalCrossentropy(), new SparseCategoricalAccuracy());
        var history = model.Fit(x, y, new FitOptions { Epochs = 30, BatchSize = 20, ValidationSplit = 0.2f, Seed = 1 });
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy", "lr"], history.Keys);
        Assert.True(history["val_accuracy"][^1] >= 0.9f, $"val_accuracy {history["val_accuracy"][^1]}");
    }
}
