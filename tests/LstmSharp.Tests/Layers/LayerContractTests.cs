// Layer contracts that are not numeric: clear errors for bad shapes and ids, building, dropout semantics,
// initialisation defaults (Keras's), and determinism of seeded initialisation.
using LstmSharp.Layers;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class LayerContractTests
{
    [Fact]
    public void Lstm_WrongFeatureCount_NamesLayerAndShapes()
    {
        var lstm = new Lstm(8, new() { Name = "encoder" });
        lstm.Build([5, 3]);
        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 5, 4)));
        Assert.Contains("'encoder'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[*, *, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 5, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lstm_WrongInitialStateShape_Throws()
    {
        var lstm = new Lstm(4);
        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 3, 1), [Tensor.Zeros(2, 4), Tensor.Zeros(3, 4)]));
        Assert.Contains("[3, 4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 3, 1), [Tensor.Zeros(2, 4)]));
    }

    [Fact]
    public void Rnn_ZeroSteps_Throws() =>
        Assert.Throws<ArgumentException>(() => new Gru(3).Forward(Tensor.Zeros(2, 0, 1)));

    [Fact]
    public void Rnn_BackwardBeforeForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new SimpleRnn(3).Backward(Tensor.Zeros(1, 3)));

    [Fact]
    public void Dense_WrongGradientShape_Throws()
    {
        var dense = new Dense(3);
        dense.Forward(Tensor.Zeros(2, 4));
        var e = Assert.Throws<ArgumentException>(() => dense.Backward(Tensor.Zeros(2, 4)));
        Assert.Contains("[2, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedding_IdOutOfRange_NamesPosition()
    {
        var embedding = new Embedding(5, 2);
        var e = Assert.Throws<ArgumentException>(() => embedding.Forward(new Tensor([1, 2, 5, 0], 2, 2)));
        Assert.Contains("[batch 1, step 0]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => embedding.Forward(new Tensor([1.5f], 1, 1)));
        Assert.Throws<ArgumentException>(() => embedding.Forward(new Tensor([float.NaN], 1, 1)));
    }

    [Fact]
    public void Lstm_Build_KerasDefaults()
    {
        const int H = 6, I = 4;
        var lstm = new Lstm(H);
        Assert.Equal([5, H], new Lstm(H, new() { ReturnSequences = true }).Build([5, I]));
        Assert.Equal([H], lstm.Build([-1, I]));
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], lstm.Parameters.Select(p => p.Name));
        Assert.Equal(4 * H * (I + H + 2), lstm.ParameterCount);
        // Forget-gate bias 1, others 0.
        var bias = lstm.Parameters[2].Value.ToArray();
        Assert.Equal(Enumerable.Repeat(0f, H).Concat(Enumerable.Repeat(1f, H)).Concat(Enumerable.Repeat(0f, 2 * H)), bias);
        Assert.All(lstm.Parameters[3].Value.ToArray(), v => Assert.Equal(0f, v));
        // Glorot uniform bound √(6 / (I + 4H)).
        var limit = MathF.Sqrt(6f / (I + 4 * H));
        Assert.All(lstm.Parameters[0].Value.ToArray(), v => Assert.InRange(v, -limit, limit));
        // Orthogonal recurrent kernel: W_hhᵀ W_hh = I (columns orthonormal).
        var w = lstm.Parameters[1].Value;
        for (var a = 0; a < H; a++)
        {
            for (var b = 0; b < H; b++)
            {
                double dot = 0;
                for (var r = 0; r < 4 * H; r++) dot += w[r, a] * w[r, b];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 5);
            }
        }
    }

    [Fact]
    public void Build_SameSeed_SameWeights_OtherSeed_Differs()
    {
        float[] Weights(int seed)
        {
            var gru = new Gru(5);
            gru.Build([3, 2], seed);
            return gru.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        }
        Assert.Equal(Weights(4), Weights(4));
        Assert.NotEqual(Weights(4), Weights(5));
    }

    [Fact]
    public void Dropout_Training_ZeroesAboutRateAndScalesTheRest()
    {
        const float rate = 0.3f;
        var dropout = new Dropout(rate, seed: 9);
        var x = Tensor.Full(2f, 100, 100);
        var y = dropout.Forward(x, training: true).ToArray();
        var dropped = y.Count(v => v == 0f) / (double)y.Length;
        Assert.InRange(dropped, rate - 0.02, rate + 0.02);
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 2f / (1 - rate)) < 1e-6));
        var dx = dropout.Backward(Tensor.Full(1f, 100, 100)).ToArray();
        for (var i = 0; i < y.Length; i++) Assert.Equal(y[i] / 2f, dx[i], 6);
        Assert.Same(x, dropout.Forward(x, training: false));
    }

    [Fact]
    public void Dropout_SameSeed_SameMask()
    {
        var x = Tensor.Full(1f, 10, 10);
        Assert.Equal(new Dropout(0.5f, seed: 3).Forward(x, true).ToArray(), new Dropout(0.5f, seed: 3).Forward(x, true).ToArray());
    }

    [Fact]
    public void DefaultNames_AreKerasSnakeCase()
    {
        var model = new Sequential(new Input(4, 2), new SimpleRnn(3, new() { ReturnSequences = true }), new SimpleRnn(3, new() { ReturnSequences = true }),
            new TimeDistributed(new Dense(2)), new Bidirectional(new Gru(2)));
        Assert.Equal(["simple_rnn", "simple_rnn_1", "time_distributed", "bidirectional"], model.Layers.Select(l => l.Name));
    }
}
