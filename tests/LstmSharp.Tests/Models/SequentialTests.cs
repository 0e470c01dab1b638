// Sequential: building and summary, shape errors, learning a small problem, determinism, data checks.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class SequentialTests
{
    /// <summary>Sequences of 6 values in [−1, 1]; the target is their sum / 3.</summary>
    static (Tensor X, Tensor Y) SumTask(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = Tensor.Zeros(samples, 6, 1);
        var y = Tensor.Zeros(samples, 1);
        for (var s = 0; s < samples; s++)
        {
            float sum = 0;
            for (var t = 0; t < 6; t++) sum += x.Span[s * 6 + t] = (float)(rng.NextDouble() * 2 - 1);
            y.Span[s] = sum / 3;
        }
        return (x, y);
    }

    static Sequential SmallModel(int seed) => new(seed, new Input(6, 1), new Lstm(12), new Dense(1));

    [Fact]
    public void Summary_ListsLayersShapesAndCounts()
    {
        var model = new Sequential(new Input(-1, 3), new Lstm(8, new() { ReturnSequences = true }), new Lstm(4), new Dense(2, Activation.Softmax));
        var summary = model.Summary();
        Assert.Contains("lstm (Lstm)", summary, StringComparison.Ordinal);
        Assert.Contains("lstm_1 (Lstm)", summary, StringComparison.Ordinal);
        Assert.Contains("(None, None, 8)", summary, StringComparison.Ordinal);
        Assert.Contains("(None, 2)", summary, StringComparison.Ordinal);
        var total = 4 * 8 * (3 + 8 + 2) + 4 * 4 * (8 + 4 + 2) + 2 * 4 + 2;
        Assert.Equal(total, model.ParameterCount);
        Assert.Contains($"Total params: {total:N0}", summary, StringComparison.Ordinal);
        Assert.Equal([2], model.OutputShape);
    }

    [Fact]
    public void Summary_Counts_MatchHandAndKerasFormulas()
    {
        // Bidirectional(SimpleRnn(5)) on 3 features, Lstm(4) on 10, Dense(2) on 4; the Lstm frozen.
        var lstm = new Lstm(4);
        var model = new Sequential(seed: 1, new Input(7, 3), new Bidirectional(new SimpleRnn(5, new() { ReturnSequences = true })), lstm, new Dense(2)) { Name = "tagger" };
        lstm.Trainable = false;
        long ours = 2 * 5 * (3 + 5 + 2) + 4 * 4 * (10 + 4 + 2) + 2 * (4 + 1);
        // Keras: SimpleRNN H·(I+H)+H per direction, LSTM 4·(H·(I+H)+H), Dense the same as ours.
        long keras = 2 * (5 * (3 + 5) + 5) + 4 * (4 * (10 + 4) + 4) + 2 * (4 + 1);
        var summary = model.Summary();
        Assert.StartsWith("Model: \"tagger\"", summary, StringComparison.Ordinal);
        Assert.Equal(366, ours);
        Assert.Equal(ours, model.ParameterCount);
        Assert.Contains("Total params: 366 (1.43 KB)", summary, StringComparison.Ordinal);
        Assert.Contains("Trainable params: 110 (440.00 B)", summary, StringComparison.Ordinal);
        Assert.Contains("Non-trainable params: 256 (1.00 KB)", summary, StringComparison.Ordinal);
        Assert.EndsWith($"Keras, with one per LSTM, SimpleRNN and reset-before GRU, counts {ours - keras} fewer.", summary, StringComparison.Ordinal);
        Assert.Equal(26, ours - keras);
    }

    [Fact]
    public void Summary_GruAndDense_HaveNoKerasBiasNote()
    {
        // Keras's GRU (reset_after=True, its default) keeps two biases as here: 3·(H·(I+H)+2H).
        var model = new Sequential(new Input(6, 2), new Gru(8), new Dense(1));
        Assert.Equal(3 * (8 * (2 + 8) + 2 * 8) + 9, model.ParameterCount);
        Assert.EndsWith("Non-trainable params: 0 (0.00 B)", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_ResetBeforeGruAndLayersWithoutBiases_CountAsKerasAndPyTorch()
    {
        // Keras's reset_after=False GRU: 3·(H·(I+H)+H); ours keeps b_hh too (3H more). Without biases both count 3·H·(I+H).
        var model = new Sequential(new Input(6, 2), new Gru(8, new GruOptions { ResetAfter = false, ReturnSequences = true }),
            new Lstm(3, new() { UseBias = false }), new Dense(1));
        long keras = 3 * (8 * (2 + 8) + 8) + 4 * 3 * (8 + 3) + (3 + 1);
        Assert.Equal(keras + 3 * 8, model.ParameterCount);
        Assert.EndsWith("counts 24 fewer.", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_IncompatibleLayers_NamesTheLayer()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Input(5, 2), new Lstm(4), new Gru(3)));
        Assert.Contains("Layer 1 ('gru')", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_WrongInputShape_SaysExpectedAndReceived()
    {
        var e = Assert.Throws<ArgumentException>(() => SmallModel(0).Forward(Tensor.Zeros(2, 6, 3)));
        Assert.Contains("[batch, 6, 1]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 6, 3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_LearnsSumOfSequence()
    {
        var (x, y) = SumTask(256, 1);
        var (xTest, yTest) = SumTask(128, 2);
        var model = SmallModel(3);
        model.Compile(new Adam(0.01f), new MeanSquaredError());
        var before = model.Evaluate(xTest, yTest)["loss"];
        var history = model.Fit(x, y, new FitOptions { Epochs = 40, BatchSize = 32, Seed = 4, ValidationSplit = 0.25f });
        var after = model.Evaluate(xTest, yTest)["loss"];
        Assert.Equal(40, history.Loss.Count);
        Assert.Equal(40, history.ValidationLoss.Count);
        // Predicting the mean scores the variance of y, 6·(1/3)/9 ≈ 0.22; the trained model must do far better.
        Assert.True(after < 0.02f && after < before / 5, $"test MSE before {before}, after {after}");
        Assert.True(history.Loss[^1] < history.Loss[0]);
    }

    [Fact]
    public void Fit_SameSeed_BitIdenticalWeightsAndLosses()
    {
        (float[] Weights, IReadOnlyList<float> Losses) Train()
        {
            var (x, y) = SumTask(100, 5);
            var model = SmallModel(6);
            model.Compile(new Adam(0.01f), new MeanSquaredError());
            var history = model.Fit(x, y, new FitOptions { Epochs = 3, BatchSize = 16, Seed = 7 });
            return (model.Parameters.SelectMany(p => p.Value.ToArray()).ToArray(), history.Loss);
        }
        var a = Train();
        var b = Train();
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Losses, b.Losses);
    }

    [Fact]
    public void Predict_MatchesForwardInBatches()
    {
        var (x, _) = SumTask(37, 8);
        var model = SmallModel(9);
        var all = model.Predict(x, batchSize: 10);
        Assert.True(all.HasShape(37, 1));
        var whole = model.Forward(x).ToArray();
        for (var i = 0; i < 37; i++) Assert.Equal(whole[i], all.Span[i], 5);
    }

    [Fact]
    public void Evaluate_IsMeanLossOverSamples()
    {
        var (x, y) = SumTask(50, 10);
        var model = SmallModel(11);
        model.Compile(new Sgd(), new MeanSquaredError());
        var predicted = model.Predict(x);
        var mse = predicted.ToArray().Zip(y.ToArray(), (p, t) => (double)(p - t) * (p - t)).Average();
        Assert.Equal(mse, model.Evaluate(x, y, batchSize: 7)["loss"], 5);
    }

    [Fact]
    public void Fit_NonFiniteInput_NamesSampleAndIndex()
    {
        var (x, y) = SumTask(20, 12);
        x[13, 4, 0] = float.NaN;
        var model = SmallModel(0);
        model.Compile(new Adam(), new MeanSquaredError());
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y));
        Assert.Contains("[13, 4, 0]", e.Message, StringComparison.Ordinal);
        Assert.Contains("sample 13", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_BeforeCompile_Throws()
    {
        var (x, y) = SumTask(4, 0);
        Assert.Throws<InvalidOperationException>(() => SmallModel(0).Fit(x, y));
    }

    [Fact]
    public void Fit_SampleCountMismatch_Throws()
    {
        var model = SmallModel(0);
        model.Compile(new Adam(), new MeanSquaredError());
        Assert.Throws<ArgumentException>(() => model.Fit(Tensor.Zeros(4, 6, 1), Tensor.Zeros(5, 1)));
    }
}
