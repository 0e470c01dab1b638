// Reference: the layers' forward passes written again, plainly, in double, straight from the equations in
// DESIGN.md. They serve as the function whose finite differences check our float backward passes, and as a
// forward oracle for options PyTorch lacks (peepholes, go-backwards, masks). Shapes as in the library:
// batch-first; a mask [B,T] (input order) marks padded steps, which keep the state and output zeros.
namespace LstmSharp.Tests.Oracles;

public static class Reference
{
    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Σ_k w[row, k]·v[k] for a row-major [rows, n] matrix.</summary>
    static double Dot(double[] w, int row, int n, double[] v, int vOffset)
    {
        double s = 0;
        for (var k = 0; k < n; k++) s += w[row * n + k] * v[vOffset + k];
        return s;
    }

    /// <summary>
    /// LSTM (optional peepholes p [3H]); returns the sequence in processing order [B,T,H] and h_T, c_T [B,H]. Given
    /// <paramref name="trace"/> (six arrays [B,T,H]), it records i, f, g, o, c', h' of every real step there, in input order.
    /// </summary>
    public static (double[] Seq, double[] H, double[] C) Lstm(
        double[] x, int B, int T, int I, int H, double[] wIh, double[] wHh, double[] bIh, double[] bHh, double[]? p,
        double[] h0, double[] c0, bool goBackwards, double[]? mask = null, double[]? recurrentMask = null, double[][]? trace = null)
    {
        var seq = new double[B * T * H];
        var h = (double[])h0.Clone();
        var c = (double[])c0.Clone();
        for (var b = 0; b < B; b++)
        {
            for (var t = 0; t < T; t++)
            {
                var src = goBackwards ? T - 1 - t : t;
                if (mask is not null && mask[b * T + src] == 0) continue; // padding: state carried, output 0
                var hIn = recurrentMask is null ? h : h.Select((v, i) => v * recurrentMask[i]).ToArray(); // dropped h for the recurrent product
                var hNew = new double[H];
                for (var j = 0; j < H; j++)
                {
                    double A(int gate) => Dot(wIh, gate * H + j, I, x, (b * T + src) * I) + bIh[gate * H + j]
                                        + Dot(wHh, gate * H + j, H, hIn, b * H) + bHh[gate * H + j];
                    var cp = c[b * H + j];
                    var i = Sigmoid(A(0) + (p is null ? 0 : p[j] * cp));
                    var f = Sigmoid(A(1) + (p is null ? 0 : p[H + j] * cp));
                    var g = Math.Tanh(A(2));
                    var cNew = f * cp + i * g;
                    var o = Sigmoid(A(3) + (p is null ? 0 : p[2 * H + j] * cNew));
                    c[b * H + j] = cNew; // c of unit j is read only by unit j, so updating in place is safe
                    hNew[j] = o * Math.Tanh(cNew);
                    if (trace is not null)
                    {
                        double[] values = [i, f, g, o, cNew, hNew[j]];
                        for (var q = 0; q < 6; q++) trace[q][(b * T + src) * H + j] = values[q];
                    }
                }
                Array.Copy(hNew, 0, h, b * H, H);
                Array.Copy(hNew, 0, seq, (b * T + t) * H, H);
            }
        }
        return (seq, h, c);
    }

    /// <summary>
    /// GRU (r, z, n). PyTorch's form by default (b_hn inside the reset product); with <paramref name="resetAfter"/>
    /// false the reset-before form, n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn) (ONNX's GRU_Helper, linear_before_reset=0).
    /// </summary>
    public static (double[] Seq, double[] H) Gru(
        double[] x, int B, int T, int I, int H, double[] wIh, double[] wHh, double[] bIh, double[] bHh, double[] h0, bool goBackwards,
        double[]? mask = null, double[]? recurrentMask = null, bool resetAfter = true)
    {
        var seq = new double[B * T * H];
        var h = (double[])h0.Clone();
        for (var b = 0; b < B; b++)
        {
            for (var t = 0; t < T; t++)
            {
                var src = goBackwards ? T - 1 - t : t;
                if (mask is not null && mask[b * T + src] == 0) continue; // padding: state carried, output 0
                var hIn = recurrentMask is null ? h : h.Select((v, i) => v * recurrentMask[i]).ToArray(); // dropped h for the recurrent product
                double Xp(int gate, int j) => Dot(wIh, gate * H + j, I, x, (b * T + src) * I) + bIh[gate * H + j];
                double Hp(int gate, int j) => Dot(wHh, gate * H + j, H, hIn, b * H) + bHh[gate * H + j];
                var r = new double[H];
                var z = new double[H];
                for (var j = 0; j < H; j++)
                {
                    r[j] = Sigmoid(Xp(0, j) + Hp(0, j));
                    z[j] = Sigmoid(Xp(1, j) + Hp(1, j));
                }
                var rh = new double[B * H];
                for (var j = 0; j < H; j++) rh[b * H + j] = r[j] * hIn[b * H + j];
                var hNew = new double[H];
                for (var j = 0; j < H; j++)
                {
                    var n = resetAfter
                        ? Math.Tanh(Xp(2, j) + r[j] * Hp(2, j))
                        : Math.Tanh(Xp(2, j) + Dot(wHh, 2 * H + j, H, rh, b * H) + bHh[2 * H + j]);
                    hNew[j] = (1 - z[j]) * n + z[j] * h[b * H + j];
                }
                Array.Copy(hNew, 0, h, b * H, H);
                Array.Copy(hNew, 0, seq, (b * T + t) * H, H);
            }
        }
        return (seq, h);
    }

    /// <summary>
    /// Keras's zero_output_for_mask=False applied to a sequence in processing order whose padded steps are zero:
    /// each padded step repeats the row's last real output before it (stays zero before the first).
    /// </summary>
    public static double[] RepeatMaskedOutputs(double[] seq, double[] mask, int B, int T, int H, bool goBackwards)
    {
        var result = (double[])seq.Clone();
        for (var b = 0; b < B; b++)
            for (var t = 1; t < T; t++)
                if (mask[b * T + (goBackwards ? T - 1 - t : t)] == 0)
                    Array.Copy(result, (b * T + t - 1) * H, result, (b * T + t) * H, H);
        return result;
    }

    /// <summary>Simple RNN with tanh.</summary>
    public static (double[] Seq, double[] H) SimpleRnn(
        double[] x, int B, int T, int I, int H, double[] wIh, double[] wHh, double[] bIh, double[] bHh, double[] h0, bool goBackwards, double[]? mask = null, double[]? recurrentMask = null)
    {
        var seq = new double[B * T * H];
        var h = (double[])h0.Clone();
        for (var b = 0; b < B; b++)
        {
            for (var t = 0; t < T; t++)
            {
                var src = goBackwards ? T - 1 - t : t;
                if (mask is not null && mask[b * T + src] == 0) continue; // padding: state carried, output 0
                var hIn = recurrentMask is null ? h : h.Select((v, i) => v * recurrentMask[i]).ToArray(); // dropped h for the recurrent product
                var hNew = new double[H];
                for (var j = 0; j < H; j++)
                    hNew[j] = Math.Tanh(Dot(wIh, j, I, x, (b * T + src) * I) + bIh[j] + Dot(wHh, j, H, hIn, b * H) + bHh[j]);
                Array.Copy(hNew, 0, h, b * H, H);
                Array.Copy(hNew, 0, seq, (b * T + t) * H, H);
            }
        }
        return (seq, h);
    }

    /// <summary>Embedding lookup: the rows of <paramref name="weight"/> [vocab, dim] for each id, [ids, dim].</summary>
    public static double[] Embedding(double[] weight, ReadOnlySpan<float> ids, int dim)
    {
        var rows = new double[ids.Length * dim];
        for (var i = 0; i < ids.Length; i++) Array.Copy(weight, (int)ids[i] * dim, rows, i * dim, dim);
        return rows;
    }

    /// <summary>Dense on the last axis: x [rows, in] → activation(x·Wᵀ + b) [rows, out].</summary>
    public static double[] Dense(double[] x, int rows, int inputs, int outputs, double[] w, double[] bias, LstmSharp.Layers.Activation activation)
    {
        var y = new double[rows * outputs];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < outputs; o++)
            {
                var a = Dot(w, o, inputs, x, r * inputs) + bias[o];
                y[r * outputs + o] = activation switch
                {
                    LstmSharp.Layers.Activation.Relu => Math.Max(0, a),
                    LstmSharp.Layers.Activation.Tanh => Math.Tanh(a),
                    LstmSharp.Layers.Activation.Sigmoid => Sigmoid(a),
                    _ => a,
                };
            }
            if (activation == LstmSharp.Layers.Activation.Softmax)
            {
                var row = y.AsSpan(r * outputs, outputs);
                var max = double.NegativeInfinity;
                foreach (var v in row) max = Math.Max(max, v);
                double sum = 0;
                for (var o = 0; o < outputs; o++) sum += row[o] = Math.Exp(row[o] - max);
                for (var o = 0; o < outputs; o++) row[o] /= sum;
            }
        }
        return y;
    }

    /// <summary>Σ a⊙b.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>The last processed step of a [B,T,H] sequence, [B,H].</summary>
    public static double[] Last(double[] seq, int B, int T, int H)
    {
        var y = new double[B * H];
        for (var b = 0; b < B; b++) Array.Copy(seq, (b * T + T - 1) * H, y, b * H, H);
        return y;
    }
}
