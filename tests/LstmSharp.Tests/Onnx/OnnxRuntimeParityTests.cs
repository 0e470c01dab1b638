// Live parity with ONNX Runtime for the forward pass: each random layer of ours is converted with OnnxRnnBuilder
// to a one-node ONNX model (opset 14), run by ORT on the same input and initial state, and compared on the
// output sequence (or last output), Y_h and Y_c — on every kernel variant, at sizes that hit the SIMD tails.
using Google.Protobuf;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxRuntimeParityTests
{
    const double Tol = 1e-5;
    const int Batch = 3, Steps = 6;

    /// <summary>Units × input features × direction × return_sequences × kernel variant.</summary>
    public static TheoryData<int, int, bool, bool, KernelVariant> Cases()
    {
        var data = new TheoryData<int, int, bool, bool, KernelVariant>();
        foreach (var units in new[] { 5, 19 })
            foreach (var inputSize in new[] { 3, 17 })
                foreach (var goBackwards in new[] { false, true })
                    foreach (var returnSequences in new[] { false, true })
                        foreach (var variant in KernelSet.Supported)
                            data.Add(units, inputSize, goBackwards, returnSequences, variant);
        return data;
    }

    public static TheoryData<KernelVariant> Variants() => new(KernelSet.Supported);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lstm_Forward_MatchesOnnxRuntime(int units, int inputSize, bool goBackwards, bool returnSequences, KernelVariant variant)
    {
        var lstm = NewLstm(units, inputSize, new LstmOptions { GoBackwards = goBackwards, ReturnSequences = returnSequences }, variant);
        var state = new[] { Random(seed: 11, -1f, 1f, Batch, units), Random(seed: 12, -2f, 2f, Batch, units) };
        var model = OnnxRnnBuilder.LstmModel(lstm, state[0], state[1]);

        AssertMatchesOnnx(lstm, model, Random(seed: 10, -1f, 1f, Batch, Steps, inputSize), state);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lstm_Peepholes_MatchesOnnxRuntime(int units, int inputSize, bool goBackwards, bool returnSequences, KernelVariant variant)
    {
        var options = new LstmOptions { Peepholes = true, GoBackwards = goBackwards, ReturnSequences = returnSequences };
        var lstm = NewLstm(units, inputSize, options, variant);
        var state = new[] { Random(seed: 21, -1f, 1f, Batch, units), Random(seed: 22, -2f, 2f, Batch, units) };
        var model = OnnxRnnBuilder.LstmModel(lstm, state[0], state[1]);

        AssertMatchesOnnx(lstm, model, Random(seed: 20, -1f, 1f, Batch, Steps, inputSize), state);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gru_Forward_MatchesOnnxRuntimeLinearBeforeReset(int units, int inputSize, bool goBackwards, bool returnSequences, KernelVariant variant)
    {
        var gru = new Gru(units, new RnnOptions { GoBackwards = goBackwards, ReturnSequences = returnSequences }) { Kernels = KernelSet.For(variant) };
        Prepare(gru, inputSize);
        var state = new[] { Random(seed: 31, -1f, 1f, Batch, units) };
        var model = OnnxRnnBuilder.GruModel(gru, state[0]);

        AssertMatchesOnnx(gru, model, Random(seed: 30, -1f, 1f, Batch, Steps, inputSize), state);
    }

    /// <summary>No initial state (zeros on both sides), and one session run at several batch sizes and lengths.</summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Lstm_ZeroInitialState_MatchesOnnxRuntimeAtEveryShape(KernelVariant variant)
    {
        var lstm = NewLstm(19, 17, new LstmOptions { Peepholes = true, ReturnSequences = true }, variant);
        using var session = new InferenceSession(OnnxRnnBuilder.LstmModel(lstm).ToByteArray());
        foreach (var (batch, steps) in new[] { (3, 6), (1, 1), (2, 9) })
            AssertMatchesOnnx(lstm, session, Random(seed: 40 + steps, -1f, 1f, batch, steps, 17), null);
    }

    /// <summary>No initial state (zeros on both sides), and one session run at several batch sizes and lengths.</summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Gru_ZeroInitialState_MatchesOnnxRuntimeAtEveryShape(KernelVariant variant)
    {
        var gru = new Gru(19, new RnnOptions { GoBackwards = true, ReturnSequences = true }) { Kernels = KernelSet.For(variant) };
        Prepare(gru, 17);
        using var session = new InferenceSession(OnnxRnnBuilder.GruModel(gru).ToByteArray());
        foreach (var (batch, steps) in new[] { (3, 6), (1, 1), (2, 9) })
            AssertMatchesOnnx(gru, session, Random(seed: 50 + steps, -1f, 1f, batch, steps, 17), null);
    }

    /// <summary>The conversion rules, spelled out on parameters whose every block holds its own index.</summary>
    [Fact]
    public void OnnxRnnBuilder_Weights_ReorderGateBlocks()
    {
        const int H = 2, I = 3;
        var lstm = new Lstm(H, new LstmOptions { Peepholes = true });
        lstm.Build([-1, I]);
        foreach (var p in lstm.Parameters) FillBlockIndex(p, blocks: p.Name == "weight_peephole_l0" ? 3 : 4);
        var lw = OnnxRnnBuilder.LstmWeights(lstm);
        Assert.Equal(new long[] { 1, 4 * H, I }, lw.WShape);
        Assert.Equal(new long[] { 1, 4 * H, H }, lw.RShape);
        Assert.Equal(new long[] { 1, 8 * H }, lw.BShape);
        Assert.Equal(BlockIndices([0, 3, 1, 2], H * I), lw.W);                // i, o, f, c ← i, f, g, o
        Assert.Equal(BlockIndices([0, 3, 1, 2], H * H), lw.R);
        Assert.Equal(BlockIndices([0, 3, 1, 2, 0, 3, 1, 2], H), lw.B);        // Wb then Rb
        Assert.Equal(BlockIndices([0, 2, 1], H), lw.P);                       // i, o, f ← p_i, p_f, p_o

        var gru = new Gru(H);
        gru.Build([-1, I]);
        foreach (var p in gru.Parameters) FillBlockIndex(p, blocks: 3);
        var gw = OnnxRnnBuilder.GruWeights(gru);
        Assert.Equal(new long[] { 1, 3 * H, I }, gw.WShape);
        Assert.Equal(BlockIndices([1, 0, 2], H * I), gw.W);                   // z, r, h ← r, z, n
        Assert.Equal(BlockIndices([1, 0, 2], H * H), gw.R);
        Assert.Equal(BlockIndices([1, 0, 2, 1, 0, 2], H), gw.B);
        Assert.Null(gw.P);
    }

    static Lstm NewLstm(int units, int inputSize, LstmOptions options, KernelVariant variant)
    {
        var lstm = new Lstm(units, options) { Kernels = KernelSet.For(variant) };
        Prepare(lstm, inputSize);
        return lstm;
    }

    /// <summary>Builds with a seed and makes every bias nonzero (they start at 0 and 1), so B's layout is tested.</summary>
    static void Prepare(Rnn layer, int inputSize)
    {
        layer.Build([-1, inputSize], seed: 7);
        var rng = new Random(inputSize * 100 + layer.Units);
        foreach (var p in layer.Parameters.Where(p => p.Name.StartsWith("bias", StringComparison.Ordinal)))
        {
            var span = p.Value.Span;
            for (var i = 0; i < span.Length; i++) span[i] += (float)(rng.NextDouble() - 0.5);
        }
    }

    static void AssertMatchesOnnx(Rnn layer, ModelProto model, Tensor x, IReadOnlyList<Tensor>? initialState)
    {
        using var session = new InferenceSession(model.ToByteArray());
        AssertMatchesOnnx(layer, session, x, initialState);
    }

    /// <summary>
    /// Runs <paramref name="layer"/> and the session on x <c>[batch, time, features]</c> and compares. ONNX's Y is
    /// <c>[seq, 1, batch, H]</c> aligned with the input's time axis in both directions; our sequence is in processing
    /// order, so for GoBackwards our step t is ONNX's step T−1−t.
    /// </summary>
    static void AssertMatchesOnnx(Rnn layer, InferenceSession session, Tensor x, IReadOnlyList<Tensor>? initialState)
    {
        int B = x.Dim(0), T = x.Dim(1), I = x.Dim(2), H = layer.Units;
        var what = $"{layer.GetType().Name} H={H} I={I} B={B} T={T} backwards={layer.Options.GoBackwards} {layer.Kernels.Variant}";
        var output = layer.Forward(x, initialState).Clone();

        // x [B, T, I] → X [T, B, I]
        var xTimeMajor = new float[T * B * I];
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                x.Span.Slice((b * T + t) * I, I).CopyTo(xTimeMajor.AsSpan((t * B + b) * I, I));
        var outputNames = layer.StateCount == 2 ? new[] { "Y", "Y_h", "Y_c" } : new[] { "Y", "Y_h" };
        using var runOptions = new RunOptions();
        using var xValue = OrtValue.CreateTensorValueFromMemory(xTimeMajor, [T, B, I]);
        using var results = session.Run(runOptions, ["X"], [xValue], outputNames);
        var onnx = results.ToArray();
        Assert.Equal(new long[] { T, 1, B, H }, onnx[0].GetTensorTypeAndShape().Shape);
        var y = onnx[0].GetTensorDataAsSpan<float>();

        if (layer.Options.ReturnSequences)
        {
            // expected [B, T, H] from Y [T, 1, B, H]
            var expected = new float[B * T * H];
            for (var b = 0; b < B; b++)
            {
                for (var t = 0; t < T; t++)
                {
                    var onnxStep = layer.Options.GoBackwards ? T - 1 - t : t;
                    y.Slice((onnxStep * B + b) * H, H).CopyTo(expected.AsSpan((b * T + t) * H, H));
                }
            }
            Assert.Equal(new[] { B, T, H }, output.Shape.ToArray());
            Equal(expected, output.Span, $"{what} Y");
        }
        else
        {
            Assert.Equal(new[] { B, H }, output.Shape.ToArray());
            Equal(onnx[1].GetTensorDataAsSpan<float>(), output.Span, $"{what} output vs Y_h");
        }
        for (var s = 0; s < layer.StateCount; s++)
        {
            Assert.Equal(new long[] { 1, B, H }, onnx[1 + s].GetTensorTypeAndShape().Shape);
            Equal(onnx[1 + s].GetTensorDataAsSpan<float>(), layer.FinalState[s].Span, $"{what} {outputNames[1 + s]}");
        }
    }

    /// <summary>Float-vs-float comparison through <see cref="Approx"/>: |a − e| ≤ tol · max(1, max|e|).</summary>
    static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        var e = new double[expected.Length];
        for (var i = 0; i < e.Length; i++) e[i] = expected[i];
        Approx.Equal(e, actual, Tol, what);
    }

    static Tensor Random(int seed, float min, float max, params int[] shape)
    {
        var rng = new Random(seed);
        var t = Tensor.Zeros(shape);
        var span = t.Span;
        for (var i = 0; i < span.Length; i++) span[i] = min + (max - min) * (float)rng.NextDouble();
        return t;
    }

    static void FillBlockIndex(Parameter p, int blocks)
    {
        var span = p.Value.Span;
        var size = span.Length / blocks;
        for (var k = 0; k < blocks; k++) span.Slice(k * size, size).Fill(k);
    }

    static float[] BlockIndices(int[] blocks, int size) => [.. blocks.SelectMany(k => Enumerable.Repeat((float)k, size))];
}
