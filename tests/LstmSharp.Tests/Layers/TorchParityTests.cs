// Parity with PyTorch: every recurrent layer, stack and direction, Linear and Embedding, against the committed
// fixtures (forward outputs, final states and every gradient, computed by PyTorch in float64), on every kernel variant.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class TorchParityTests
{
    const double Tol = 1e-5;

    public static TheoryData<string, KernelVariant> RecurrentCases()
    {
        var data = new TheoryData<string, KernelVariant>();
        foreach (var name in new[] { "lstm_l1", "lstm_l2", "lstm_wide", "lstm_bi", "lstm_bi_l2", "gru_l1", "gru_l2", "gru_wide", "rnn_l1", "rnn_l2" })
            foreach (var v in KernelSet.Supported)
                data.Add(name, v);
        return data;
    }

    public static TheoryData<KernelVariant> Variants() => new(KernelSet.Supported);

    /// <summary>Every case name with every kernel variant this machine runs, names in ordinal order.</summary>
    public static TheoryData<string, KernelVariant> WithEveryVariant(IEnumerable<string> names)
    {
        var data = new TheoryData<string, KernelVariant>();
        foreach (var name in names.Order(StringComparer.Ordinal))
            foreach (var v in KernelSet.Supported)
                data.Add(name, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(RecurrentCases))]
    public void Rnn_ForwardBackward_MatchesTorch(string name, KernelVariant variant)
    {
        var f = TorchFixture.Load(name);
        int layers = f.ConfigInt("num_layers"), H = f.ConfigInt("hidden_size"), I = f.ConfigInt("input_size");
        int B = f.ConfigInt("batch"), T = f.ConfigInt("time");
        var directions = f.ConfigBool("bidirectional") ? 2 : 1;
        var isLstm = f.Module == "LSTM";
        var kernels = KernelSet.For(variant);

        // layer l, direction d → one of our layers, with PyTorch's tensors copied in by name.
        var net = new Rnn[layers, directions];
        for (var l = 0; l < layers; l++)
        {
            for (var d = 0; d < directions; d++)
            {
                var options = new RnnOptions { ReturnSequences = true, GoBackwards = d == 1 };
                Rnn layer = f.Module switch
                {
                    "LSTM" => new Lstm(H, new LstmOptions { ReturnSequences = true, GoBackwards = d == 1 }),
                    "GRU" => new Gru(H, options),
                    _ => new SimpleRnn(H, options),
                };
                layer.Kernels = kernels;
                layer.Build([T, l == 0 ? I : directions * H], seed: 1);
                foreach (var p in layer.Parameters) p.Value.CopyFrom(f.Tensor(TorchName(p.Name, l, d)));
                net[l, d] = layer;
            }
        }

        // Forward through the stack; the reverse direction's output is in processing order, so flip it back.
        var input = f.Tensor("x");
        for (var l = 0; l < layers; l++)
        {
            var outputs = new Tensor[directions];
            for (var d = 0; d < directions; d++)
            {
                var state = new List<Tensor> { f.Slice("h0", l * directions + d) };
                if (isLstm) state.Add(f.Slice("c0", l * directions + d));
                outputs[d] = net[l, d].Forward(input, state).Clone();
                if (d == 1) outputs[d] = ReverseTime(outputs[d]);
            }
            input = Concat(outputs);
        }
        Approx.Equal(f.Data("output"), input, Tol, $"{name} output");
        for (var l = 0; l < layers; l++)
        {
            for (var d = 0; d < directions; d++)
            {
                var s = l * directions + d;
                Approx.Equal(f.Slice("h_n", s), net[l, d].FinalState[0], Tol, $"{name} h_n[{s}]");
                if (isLstm) Approx.Equal(f.Slice("c_n", s), net[l, d].FinalState[1], Tol, $"{name} c_n[{s}]");
            }
        }

        // Backward from the top: the upstream gradient of the top outputs and of every final state.
        var dOutput = f.Tensor("grad_output");
        for (var l = layers - 1; l >= 0; l--)
        {
            var parts = Split(dOutput, directions);
            Tensor? dInput = null;
            for (var d = 0; d < directions; d++)
            {
                var s = l * directions + d;
                var dState = new List<Tensor?> { f.Slice("grad_h_n", s) };
                if (isLstm) dState.Add(f.Slice("grad_c_n", s));
                var dx = net[l, d].Backward(d == 1 ? ReverseTime(parts[d]) : parts[d], dState).Clone();
                if (dInput is null) dInput = dx;
                else for (var i = 0; i < dx.Length; i++) dInput.Span[i] += dx.Span[i];
                Approx.Equal(f.Slice("grad.h0", s), net[l, d].InitialStateGradient[0], Tol, $"{name} grad.h0[{s}]");
                if (isLstm) Approx.Equal(f.Slice("grad.c0", s), net[l, d].InitialStateGradient[1], Tol, $"{name} grad.c0[{s}]");
                foreach (var p in net[l, d].Parameters)
                    Approx.Equal(f.Data("grad." + TorchName(p.Name, l, d)), p.Gradient, Tol, $"{name} grad.{TorchName(p.Name, l, d)}");
            }
            dOutput = dInput!;
        }
        Approx.Equal(f.Data("grad.x"), dOutput, Tol, $"{name} grad.x");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Dense_Linear_MatchesTorch(KernelVariant variant)
    {
        var f = TorchFixture.Load("linear");
        var x = f.Tensor("x");
        var dense = new Dense(f.ConfigInt("out_features")) { Kernels = KernelSet.For(variant) };
        dense.Build(x.Shape[1..]);
        dense.Parameters[0].Value.CopyFrom(f.Tensor("weight"));
        dense.Parameters[1].Value.CopyFrom(f.Tensor("bias"));

        Approx.Equal(f.Data("output"), dense.Forward(x), Tol, "linear output");
        var dx = dense.Backward(f.Tensor("grad_output"));
        Approx.Equal(f.Data("grad.x"), dx, Tol, "linear grad.x");
        Approx.Equal(f.Data("grad.weight"), dense.Parameters[0].Gradient, Tol, "linear grad.weight");
        Approx.Equal(f.Data("grad.bias"), dense.Parameters[1].Gradient, Tol, "linear grad.bias");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Embedding_PaddingIndexZero_MatchesTorch(KernelVariant variant)
    {
        var f = TorchFixture.Load("embedding");
        var ids = f.Tensor("ids");
        var embedding = new Embedding(f.ConfigInt("num_embeddings"), f.ConfigInt("embedding_dim")) { Kernels = KernelSet.For(variant) };
        embedding.Build(ids.Shape[1..]);
        Assert.All(embedding.Parameters[0].Value.Slice(0).ToArray(), v => Assert.Equal(0f, v));
        embedding.Parameters[0].Value.CopyFrom(f.Tensor("weight"));

        Approx.Equal(f.Data("output"), embedding.Forward(ids), Tol, "embedding output");
        embedding.Backward(f.Tensor("grad_output"));
        Approx.Equal(f.Data("grad.weight"), embedding.Parameters[0].Gradient, Tol, "embedding grad.weight");
    }

    static string TorchName(string ours, int layer, int direction)
        => ours.Replace("_l0", $"_l{layer}", StringComparison.Ordinal) + (direction == 1 ? "_reverse" : "");

    static Tensor ReverseTime(Tensor x)
    {
        int B = x.Dim(0), T = x.Dim(1), F = x.Dim(2);
        var y = Tensor.Zeros(B, T, F);
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                x.Span.Slice((b * T + t) * F, F).CopyTo(y.Span.Slice((b * T + T - 1 - t) * F, F));
        return y;
    }

    static Tensor Concat(Tensor[] parts)
    {
        if (parts.Length == 1) return parts[0];
        int B = parts[0].Dim(0), T = parts[0].Dim(1), F = parts[0].Dim(2);
        var y = Tensor.Zeros(B, T, F * parts.Length);
        for (var r = 0; r < B * T; r++)
            for (var p = 0; p < parts.Length; p++)
                parts[p].Span.Slice(r * F, F).CopyTo(y.Span.Slice((r * parts.Length + p) * F, F));
        return y;
    }

    static Tensor[] Split(Tensor x, int count)
    {
        if (count == 1) return [x];
        int B = x.Dim(0), T = x.Dim(1), F = x.Dim(2) / count;
        var parts = new Tensor[count];
        for (var p = 0; p < count; p++)
        {
            parts[p] = Tensor.Zeros(B, T, F);
            for (var r = 0; r < B * T; r++) x.Span.Slice((r * count + p) * F, F).CopyTo(parts[p].Span.Slice(r * F, F));
        }
        return parts;
    }
}
