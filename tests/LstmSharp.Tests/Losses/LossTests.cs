// Every loss: its value against the formula written in double, and its gradient against finite differences
// of that formula.
using LstmSharp.Losses;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Losses;

public sealed class LossTests
{
    const int Rows = 6, Width = 4;

    static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    static double[] Softmax(ReadOnlySpan<double> z)
    {
        var max = double.NegativeInfinity;
        foreach (var v in z) max = Math.Max(max, v);
        var e = new double[z.Length];
        double sum = 0;
        for (var i = 0; i < z.Length; i++) sum += e[i] = Math.Exp(z[i] - max);
        return e.Select(v => v / sum).ToArray();
    }

    public static TheoryData<string> Names() => new("mse", "mae", "huber", "bce", "bce-logits", "cce", "cce-logits", "sparse", "sparse-logits");

    [Theory]
    [MemberData(nameof(Names))]
    public void Loss_ValueAndGradient_MatchFormula(string name)
    {
        var rng = new Random(name.Length * 31 + name[0]);
        var probabilities = name is "bce" or "cce" or "sparse";
        var p = new float[Rows * Width];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Width; c++) p[r * Width + c] = probabilities ? (float)(0.05 + 0.9 * rng.NextDouble()) : (float)(rng.NextDouble() * 4 - 2);
            if (name is "cce" or "sparse")
            {
                var sum = p.AsSpan(r * Width, Width).ToArray().Sum();
                for (var c = 0; c < Width; c++) p[r * Width + c] /= sum;
            }
        }
        var sparse = name.StartsWith("sparse", StringComparison.Ordinal);
        var y = sparse ? new float[Rows] : new float[Rows * Width];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = name switch
            {
                "bce" or "bce-logits" => rng.Next(2),
                "cce" or "cce-logits" => 0,
                "sparse" or "sparse-logits" => rng.Next(Width),
                _ => (float)(rng.NextDouble() * 4 - 2),
            };
        }
        if (name is "cce" or "cce-logits")
            for (var r = 0; r < Rows; r++) y[r * Width + rng.Next(Width)] = 1;

        Loss loss = name switch
        {
            "mse" => new MeanSquaredError(),
            "mae" => new MeanAbsoluteError(),
            "huber" => new Huber(0.7f),
            "bce" => new BinaryCrossentropy(),
            "bce-logits" => new BinaryCrossentropy(fromLogits: true),
            "cce" => new CategoricalCrossentropy(),
            "cce-logits" => new CategoricalCrossentropy(fromLogits: true),
            "sparse" => new SparseCategoricalCrossentropy(),
            _ => new SparseCategoricalCrossentropy(fromLogits: true),
        };

        double Reference(double[] v)
        {
            double total = 0;
            for (var r = 0; r < Rows; r++)
            {
                var row = v.AsSpan(r * Width, Width);
                var logits = name.EndsWith("logits", StringComparison.Ordinal);
                if (name is "cce" or "cce-logits" or "sparse" or "sparse-logits")
                {
                    var probs = logits ? Softmax(row) : row.ToArray();
                    for (var c = 0; c < Width; c++)
                    {
                        var target = sparse ? (c == (int)y[r] ? 1 : 0) : y[r * Width + c];
                        total -= target * Math.Log(probs[c]) / Rows;
                    }
                    continue;
                }
                for (var c = 0; c < Width; c++)
                {
                    var e = row[c] - y[r * Width + c];
                    var q = logits ? Sigmoid(row[c]) : row[c];
                    var t = (double)y[r * Width + c];
                    total += name switch
                    {
                        "mse" => e * e,
                        "mae" => Math.Abs(e),
                        "huber" => Math.Abs(e) <= 0.7 ? 0.5 * e * e : 0.7 * (Math.Abs(e) - 0.35),
                        _ => -(t * Math.Log(q) + (1 - t) * Math.Log(1 - q)),
                    } / (Rows * Width);
                }
            }
            return total;
        }

        var predicted = new Tensor(p, Rows, Width);
        var target = sparse ? new Tensor(y, Rows) : new Tensor(y, Rows, Width);
        var d = Tensor.Zeros(Rows, Width);
        var value = loss.Compute(predicted, target, d);
        var values = new Dictionary<string, double[]> { ["p"] = p.Select(v => (double)v).ToArray() };
        var expected = Reference(values["p"]);
        Assert.True(Math.Abs(value - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{name}: {value} vs {expected}");
        GradientCheck.Assert(values, v => Reference(v["p"]), new Dictionary<string, Tensor> { ["p"] = d }, tol: 1e-5, eps: 1e-7);
    }

    [Fact]
    public void Sparse_BadClassId_NamesTheTarget()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new SparseCategoricalCrossentropy().Compute(Tensor.Full(0.25f, 2, 4), new Tensor([1f, 4f], 2), Tensor.Zeros(2, 4)));
        Assert.Contains("Target [1] is 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryCrossentropy_ExtremeLogits_StayFinite()
    {
        var d = Tensor.Zeros(2);
        var value = new BinaryCrossentropy(fromLogits: true).Compute(new Tensor([200f, -200f], 2), new Tensor([0f, 1f], 2), d);
        Assert.Equal(200f, value, 3);
        Assert.Equal([0.5f, -0.5f], d.ToArray());
    }
}
