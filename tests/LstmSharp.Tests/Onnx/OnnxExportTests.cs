// ONNX export: exported models run in ONNX Runtime and match Predict within 1e-5, at two batch sizes and
// sequence lengths (dynamic axes), with Embedding ids as int64 and their padding exported as sequence_lens;
// unsupported layers fail clearly.
using LstmSharp.Layers;
using LstmSharp.Onnx;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxExportTests
{
    static float[] Run(byte[] onnx, Tensor input, int[]? lengths = null)
    {
        using var session = new InferenceSession(onnx);
        var inputs = new List<NamedOnnxValue> { OnnxFeeds.Of(session, "input", input) };
        if (lengths is not null) inputs.Add(NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<int>(lengths, [lengths.Length])));
        using var results = session.Run(inputs);
        return results.First(r => r.Name == "output").AsTensor<float>().ToArray();
    }

    static void Check(Sequential model, params Tensor[] inputs)
    {
        var onnx = OnnxExport.ToBytes(model);
        foreach (var x in inputs)
            Approx.Equal(Run(onnx, x).Select(v => (double)v).ToArray(), model.Predict(x), 1e-5, $"input [{string.Join(", ", x.Shape.ToArray())}]");
    }

    static Tensor Random(int seed, params int[] shape) => new(GradientCheck.RandomFloats(shape.Aggregate(1, (a, b) => a * b), seed, 1f), shape);

    [Fact]
    public void Export_EmbeddingBidirectionalPeepholeLstmStack_MatchesPredictWithPadding()
    {
        var model = new Sequential(3, new Input(-1), new Embedding(15, 4),
            new Bidirectional(new Lstm(5, new() { ReturnSequences = true, Peepholes = true })),
            new Dropout(0.3f), new Lstm(4), new Dense(3, Activation.Softmax));
        var ids = new Tensor([3, 7, 1, 0, 0, 4, 4, 9, 12, 2, 8, 0, 0, 0, 0], 3, 5);
        var longer = new Tensor([5, 1, 2, 3, 4, 5, 6, 0, 11, 14, 13, 0, 0, 0, 0, 0], 2, 8);
        Check(model, ids, longer);
        using var session = new InferenceSession(OnnxExport.ToBytes(model));
        Assert.Equal(TensorElementType.Int64, session.InputMetadata["input"].ElementDataType);
    }

    [Fact]
    public void Export_AwdRegularisedLanguageModelStack_MatchesPredict()
    {
        // Embedding dropout, SpatialDropout1D and weight dropout act only in training: the export is the plain network.
        var model = new Sequential(6, new Input(-1), new Embedding(15, 4, dropout: 0.1f), new SpatialDropout1D(0.4f),
            new Lstm(5, new() { ReturnSequences = true, WeightDropout = 0.5f }), new SpatialDropout1D(0.25f),
            new Bidirectional(new Gru(3, new() { ReturnSequences = true, WeightDropout = 0.5f })), new SpatialDropout1D(0.4f),
            new TimeDistributed(new Dense(15, Activation.Softmax)));
        Check(model, new Tensor([3, 7, 1, 0, 0, 4, 4, 9, 12, 2], 2, 5), new Tensor([5, 1, 2, 3, 4, 5, 6, 0, 11, 14, 13, 0, 0, 0, 0, 0], 2, 8));
    }

    [Fact]
    public void Export_GruSequenceTimeDistributedDense_MatchesPredict() =>
        Check(new Sequential(4, new Input(-1, 3), new Gru(6, new() { ReturnSequences = true }), new TimeDistributed(new Dense(2, Activation.Tanh))),
            Random(1, 2, 5, 3), Random(2, 4, 9, 3));

    [Fact]
    public void Export_ResetBeforeGru_MatchesOnnxRuntimesLinearBeforeResetZero()
    {
        // ONNX Runtime's own GRU with linear_before_reset = 0 is the oracle for the reset-before form.
        var model = new Sequential(11, new Input(-1, 3),
            new Bidirectional(new Gru(5, new GruOptions { ResetAfter = false, ReturnSequences = true })),
            new Gru(4, new GruOptions { ResetAfter = false, GoBackwards = true }), new Dense(2));
        foreach (var p in model.Layers.SelectMany(l => l.Parameters).Where(p => p.Name.StartsWith("bias", StringComparison.Ordinal)))
            GradientCheck.RandomFloats(p.Value.Length, p.Value.Length + p.Name.Length).CopyTo(p.Value.Span);
        Check(model, Random(12, 2, 5, 3), Random(13, 3, 8, 3));
    }

    [Fact]
    public void Export_LayersWithoutBiases_MatchPredict() =>
        Check(new Sequential(14, new Input(-1, 3), new Lstm(4, new() { UseBias = false, ReturnSequences = true, Peepholes = true }),
                new Gru(3, new GruOptions { UseBias = false, ReturnSequences = true }), new SimpleRnn(3, new() { UseBias = false }), new Dense(1)),
            Random(15, 2, 6, 3));

    [Fact]
    public void Export_EmbeddingWithoutMaskZero_FeedsIdZeroAsAToken()
    {
        var model = new Sequential(16, new Input(-1), new Embedding(6, 3, maskZero: false), new Lstm(4), new Dense(2));
        Check(model, new Tensor([2, 0, 0, 5, 0, 0, 0, 0], 2, 4));
    }

    [Fact]
    public void Export_RepeatedOutputsAtPaddedSteps_AreRefusedWithLengths()
    {
        var model = new Sequential(new Input(-1, 2), new Lstm(2, new() { ZeroOutputForMask = false, ReturnSequences = true, Name = "repeat" }));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, lengthsInput: true));
        Assert.Contains("'repeat'", e.Message, StringComparison.Ordinal);
        Assert.Contains("ZeroOutputForMask", e.Message, StringComparison.Ordinal);
        Check(model, Random(17, 2, 3, 2));
    }

    [Fact]
    public void Export_ReverseSimpleRnnAndRelu_MatchesPredict() =>
        Check(new Sequential(5, new Input(-1, 2), new SimpleRnn(7, new() { GoBackwards = true }), new Dense(3, Activation.Relu), new Dense(1, Activation.Sigmoid)),
            Random(3, 3, 4, 2), Random(4, 1, 11, 2));

    [Fact]
    public void Export_Unsupported_SaysWhich()
    {
        var masking = new Sequential(new Input(-1, 2), new Masking(), new Lstm(2));
        Assert.Contains("'masking'", Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(masking)).Message, StringComparison.Ordinal);
        var reversed = new Sequential(new Input(-1, 2), new Lstm(2, new() { GoBackwards = true, ReturnSequences = true }));
        Assert.Contains("reversed sequence", Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(reversed)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MergeMode.Sum)]
    [InlineData(MergeMode.Multiply)]
    [InlineData(MergeMode.Average)]
    public void Export_BidirectionalMerges_MatchPredict(MergeMode merge) =>
        Check(new Sequential(6, new Input(-1, 3), new Bidirectional(new Gru(4, new() { ReturnSequences = true }), merge), new Bidirectional(new Lstm(3), merge), new Dense(2)),
            Random(5, 2, 6, 3), Random(6, 3, 3, 3));

    [Fact]
    public void Export_LengthsInput_MatchesPredictWithLengths()
    {
        var model = new Sequential(8, new Input(-1, 2), new Bidirectional(new Lstm(4, new() { ReturnSequences = true, Peepholes = true })), new Gru(3), new Dense(1));
        var x = Random(9, 3, 6, 2);
        int[] lengths = [6, 2, 4];
        var expected = model.Predict(x, lengths: new Tensor(lengths.Select(l => (float)l).ToArray(), 3));
        var actual = Run(OnnxExport.ToBytes(model, lengthsInput: true), x, lengths);
        Approx.Equal(actual.Select(v => (double)v).ToArray(), expected, 1e-5, "with lengths");
    }
}
