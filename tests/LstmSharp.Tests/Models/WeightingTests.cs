// Sample weights, class weights and regularisation penalties as Fit applies them.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class WeightingTests
{
    [Fact]
    public void SampleWeightTwo_EqualsDuplicatingTheSample()
    {
        // One full-batch SGD step on [a, b] with weights [2, 1] must equal one on [a, a, b] scaled by 3/2
        // (Keras divides by the batch size, not by the sum of weights).
        var x = new Tensor([0.5f, -1f, 2f, 0.25f], 2, 2);
        var y = new Tensor([1f, -1f], 2, 1);
        var weighted = new Sequential(4, new Input(2), new Dense(1));
        weighted.Compile(new Sgd(0.1f), new MeanSquaredError());
        weighted.Fit(x, y, new FitOptions { BatchSize = 2, Shuffle = false, SampleWeights = new Tensor([2f, 1f], 2) });

        var x3 = new Tensor([0.5f, -1f, 0.5f, -1f, 2f, 0.25f], 3, 2);
        var y3 = new Tensor([1f, 1f, -1f], 3, 1);
        var duplicated = new Sequential(4, new Input(2), new Dense(1));
        duplicated.Compile(new Sgd(0.1f * 3 / 2), new MeanSquaredError());
        duplicated.Fit(x3, y3, new FitOptions { BatchSize = 3, Shuffle = false });

        foreach (var (name, w) in weighted.GetWeights())
            Assert.Equal(duplicated.GetWeights()[name].ToArray(), w.ToArray(), new FloatComparer(1e-6f));
    }

    [Fact]
    public void ClassWeights_WeighLossByTargetClass()
    {
        var model = new Sequential(5, new Input(2), new Dense(3, Activation.Softmax));
        model.Compile(new Sgd(1e-9f), new SparseCategoricalCrossentropy());
        var x = new Tensor([1f, 2f, -1f, 0.5f], 2, 2);
        var y = new Tensor([0f, 2f], 2);
        var p = model.Predict(x);
        var expected = (3 * -Math.Log(p[0, 0]) + 1 * -Math.Log(p[1, 2])) / 2;
        var history = model.Fit(x, y, new FitOptions { BatchSize = 2, Shuffle = false, ClassWeights = new Dictionary<int, float> { [0] = 3f } });
        Assert.Equal(expected, history.Loss[0], 5);
    }

    [Fact]
    public void Regularizer_AddsPenaltyAndItsGradient()
    {
        var reg = new Regularizer(l1: 0.01f, l2: 0.1f);
        var model = new Sequential(6, new Input(3, 2), new Lstm(3, new() { KernelRegularizer = reg, RecurrentRegularizer = reg }), new Dense(1, kernelRegularizer: reg));
        model.Compile(new Sgd(1e-9f), new MeanSquaredError());
        var x = new Tensor(GradientCheck.RandomFloats(12, 1), 2, 3, 2);
        var y = new Tensor([0.3f, -0.2f], 2, 1);
        var mse = model.Evaluate(x, y)["loss"];
        double penalty = 0;
        foreach (var p in model.Parameters.Where(p => p.Regularizer is not null))
            penalty += p.Value.ToArray().Sum(w => 0.01 * Math.Abs(w) + 0.1 * w * w);
        Assert.Equal(3, model.Parameters.Count(p => p.Regularizer is not null));
        var loss = model.TrainOnBatch(x, y);
        Assert.Equal(mse + penalty, loss, 5);
        // The gradient of the penalty is in the parameter gradients: compare against a run without penalty.
        var plain = new Sequential(6, new Input(3, 2), new Lstm(3), new Dense(1));
        plain.Compile(new Sgd(1e-9f), new MeanSquaredError());
        plain.TrainOnBatch(x, y);
        var w0 = model.Parameters[0];
        var g0 = plain.Parameters[0].Gradient;
        for (var i = 0; i < w0.Value.Length; i++)
        {
            var w = w0.Value.Span[i];
            Assert.Equal(g0.Span[i] + 0.01f * MathF.Sign(w) + 0.2f * w, w0.Gradient.Span[i], 5);
        }
    }

    [Fact]
    public void SetWeights_UnknownNameOrWrongShape_ChangesNothing()
    {
        var model = new Sequential(new Input(2), new Dense(3));
        var before = model.GetWeights();
        var bad = new Dictionary<string, Tensor> { ["dense.bias"] = Tensor.Full(1f, 3), ["dense.weight"] = Tensor.Zeros(2, 3) };
        var e = Assert.Throws<ArgumentException>(() => model.SetWeights(bad));
        Assert.Contains("[3, 2]", e.Message, StringComparison.Ordinal);
        Assert.Equal(before["dense.bias"].ToArray(), model.GetWeights()["dense.bias"].ToArray());
        Assert.Throws<ArgumentException>(() => model.SetWeights(new Dictionary<string, Tensor> { ["lstm.bias"] = Tensor.Zeros(3) }));
    }

    sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
