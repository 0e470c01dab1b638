// Initialisers: bounds, spreads and orthogonality as Keras defines them, on [out, in] matrices.
using LstmSharp.Initializers;
using LstmSharp.Internals;
using LstmSharp.Layers;
using Xunit;

namespace LstmSharp.Tests.Initializers;

public sealed class InitializerTests
{
    const int Rows = 200, Cols = 120;

    static float[] Fill(Initializer init, int rows = Rows, int cols = Cols)
    {
        var w = new float[rows * cols];
        init.Fill(w, rows, cols, new Rng(5));
        return w;
    }

    static double Std(float[] w)
    {
        var mean = w.Average(v => (double)v);
        return Math.Sqrt(w.Average(v => (v - mean) * (v - mean)));
    }

    [Fact]
    public void Uniforms_StayInTheirLimitsAndFillThem()
    {
        foreach (var (init, limit) in new (Initializer, double)[]
        {
            (new GlorotUniform(), Math.Sqrt(6.0 / (Rows + Cols))), (new HeUniform(), Math.Sqrt(6.0 / Cols)), (new RandomUniform(-0.3f, 0.3f), 0.3),
        })
        {
            var w = Fill(init);
            Assert.All(w, v => Assert.InRange(v, -limit, limit));
            Assert.Equal(limit / Math.Sqrt(3), Std(w), 2);
        }
    }

    [Fact]
    public void Normals_HaveTheirStandardDeviation()
    {
        Assert.Equal(Math.Sqrt(2.0 / (Rows + Cols)), Std(Fill(new GlorotNormal())), 3);
        Assert.Equal(Math.Sqrt(2.0 / Cols), Std(Fill(new HeNormal())), 3);
        Assert.All(Fill(new HeNormal()), v => Assert.InRange(v, -2 * Math.Sqrt(2.0 / Cols) / 0.8796, 2 * Math.Sqrt(2.0 / Cols) / 0.8796));
        var n = Fill(new RandomNormal(1f, 0.5f));
        Assert.Equal(1.0, n.Average(v => (double)v), 1);
        Assert.Equal(0.5, Std(n), 2);
    }

    [Theory]
    [InlineData(12, 5)]
    [InlineData(5, 12)]
    public void Orthogonal_GivesOrthonormalColumnsOrRows(int rows, int cols)
    {
        var w = Fill(new Orthogonal(Gain: 2f), rows, cols);
        var tall = rows >= cols;
        var k = tall ? cols : rows;
        for (var a = 0; a < k; a++)
        {
            for (var b = 0; b < k; b++)
            {
                double dot = 0;
                for (var i = 0; i < (tall ? rows : cols); i++)
                    dot += tall ? w[i * cols + a] * w[i * cols + b] : w[a * cols + i] * w[b * cols + i];
                Assert.Equal(a == b ? 4.0 : 0.0, dot, 4);
            }
        }
    }

    [Fact]
    public void Constants_FillEveryValue()
    {
        Assert.All(Fill(new Zeros()), v => Assert.Equal(0f, v));
        Assert.All(Fill(new Ones()), v => Assert.Equal(1f, v));
        Assert.All(Fill(new Constant(0.25f)), v => Assert.Equal(0.25f, v));
    }

    [Fact]
    public void LayerOptions_ChooseTheInitializers()
    {
        var lstm = new Lstm(3, new() { KernelInitializer = new Ones(), RecurrentInitializer = new Constant(2f), BiasInitializer = new Constant(0.5f) });
        lstm.Build([4, 2]);
        Assert.All(lstm.Parameters[0].Value.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(lstm.Parameters[1].Value.ToArray(), v => Assert.Equal(2f, v));
        Assert.Equal([0.5f, 0.5f, 0.5f, 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f], lstm.Parameters[2].Value.ToArray());
        Assert.All(lstm.Parameters[3].Value.ToArray(), v => Assert.Equal(0f, v));
        var dense = new Dense(2, kernelInitializer: new Zeros(), biasInitializer: new Ones());
        dense.Build([3]);
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], dense.Parameters.SelectMany(p => p.Value.ToArray()));
        var embedding = new Embedding(3, 2, initializer: new Ones());
        embedding.Build([1]);
        Assert.Equal([0f, 0f, 1f, 1f, 1f, 1f], embedding.Parameters[0].Value.ToArray());
    }

    [Fact]
    public void Lstm_ChronoInit_SetsForgetAndInputBiases()
    {
        const int H = 50, T = 100;
        var lstm = new Lstm(H, new() { ChronoMaxSteps = T });
        lstm.Build([T, 2]);
        var b = lstm.Parameters[2].Value.ToArray();
        for (var j = 0; j < H; j++)
        {
            Assert.InRange(b[H + j], 0f, MathF.Log(T - 1));
            Assert.Equal(-b[H + j], b[j]);
            Assert.Equal(0f, b[2 * H + j]);
        }
        Assert.True(b.Skip(H).Take(H).Max() > MathF.Log(T / 4f), "some units remember for a long time");
        Assert.Throws<ArgumentOutOfRangeException>(() => new LstmOptions { ChronoMaxSteps = 2 });
    }
}
