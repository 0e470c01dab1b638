// GradientCheck: central finite differences in double of a reference loss, compared with the analytic
// gradients our float layers computed. The oracle is independent of the code under test: it only ever
// runs the double reference forward passes.
using Xunit;

namespace LstmSharp.Tests.Oracles;

public static class GradientCheck
{
    /// <summary>
    /// For every named tensor in <paramref name="analytic"/>, perturbs each element of the matching array in
    /// <paramref name="values"/> by ±eps, recomputes <paramref name="loss"/>, and asserts the difference quotient
    /// matches the analytic gradient within tol·max(1, max|numeric|).
    /// </summary>
    public static void Assert(
        Dictionary<string, double[]> values, Func<Dictionary<string, double[]>, double> loss,
        IReadOnlyDictionary<string, Tensor> analytic, double tol = 1e-5, double eps = 1e-6)
    {
        Xunit.Assert.NotEmpty(analytic);
        foreach (var (name, gradient) in analytic)
        {
            var v = values[name];
            Xunit.Assert.Equal(v.Length, gradient.Length);
            var numeric = new double[v.Length];
            for (var i = 0; i < v.Length; i++)
            {
                var keep = v[i];
                v[i] = keep + eps;
                var plus = loss(values);
                v[i] = keep - eps;
                var minus = loss(values);
                v[i] = keep;
                numeric[i] = (plus - minus) / (2 * eps);
            }
            Approx.Equal(numeric, gradient, tol, $"∂loss/∂{name}");
        }
    }

    /// <summary>Float values (exact in double) uniform in [-scale, scale), from a fixed seed.</summary>
    public static float[] RandomFloats(int length, int seed, float scale = 0.5f)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (var i = 0; i < length; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }

    public static double[] ToDouble(this Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    /// <summary>Overwrites every parameter with seeded values in ±0.5 (so biases and peepholes matter) and returns them in double.</summary>
    public static Dictionary<string, double[]> RandomizeParameters(LstmSharp.Layers.Layer layer, string prefix, int seed)
    {
        var values = new Dictionary<string, double[]>();
        foreach (var p in layer.Parameters)
        {
            RandomFloats(p.Value.Length, seed++).CopyTo(p.Value.Span);
            values[prefix + p.Name] = p.Value.ToDouble();
        }
        return values;
    }
}
