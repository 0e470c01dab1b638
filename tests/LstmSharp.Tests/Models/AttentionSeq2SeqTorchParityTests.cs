// An attention encoder–decoder with padding against PyTorch (tools/torch_fixtures, attention_seq2seq*.json):
// Embedding → Lstm encoder (its padded source steps skipped) whose final (h, c) start an AttentionLstm decoder
// attending over the encoder's outputs with the source mask (Concat score with input feeding; General without) →
// Dense logits, teacher forced, the loss the mean cross-entropy over the real target steps. The logits, every
// step's attention weights, the memory, the encoder's and decoder's final states, the loss and every parameter
// gradient match PyTorch's float64 values within 1e-5 (absolute), on every kernel variant; and a one-step decoder
// sharing the layers, fed the teacher-forced tokens one at a time, reproduces the sequence model's logits.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;
using Xunit.Abstractions;

namespace LstmSharp.Tests.Models;

public sealed class AttentionSeq2SeqTorchParityTests(ITestOutputHelper output)
{
    const double Tol = 1e-5;

    public static TheoryData<string, KernelVariant> Cases()
    {
        var data = new TheoryData<string, KernelVariant>();
        foreach (var name in new[] { "attention_seq2seq", "attention_seq2seq_general" })
            foreach (var v in KernelSet.Supported)
                data.Add(name, v);
        return data;
    }

    /// <summary>The fixture's model built with the graph API, PyTorch's parameters set by name, and the layers a one-step decoder shares.</summary>
    sealed record Seq2Seq(TorchFixture F, Model Training, Model Inspect, Embedding DecoderEmbedding, AttentionLstm Decoder, Dense Head, KernelSet Kernels);

    static Seq2Seq Build(string name, KernelVariant variant)
    {
        var f = TorchFixture.Load(name);
        Assert.Equal("AttentionSeq2Seq", f.Module);
        int emb = f.ConfigInt("embedding_dim"), hidden = f.ConfigInt("hidden_size");
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var encoder = new Lstm(hidden, new() { ReturnSequences = true, Name = "enc_lstm" });
        var (memory, encoderStates) = encoder.CallWithState(new Embedding(f.ConfigInt("src_vocab"), emb, "enc_emb").Call(source));
        var decoderEmbedding = new Embedding(f.ConfigInt("tgt_vocab"), emb, "dec_emb");
        var decoder = new AttentionLstm(hidden, new AttentionLstmOptions
        {
            Score = Enum.Parse<AttentionScore>(f.Config.GetProperty("score").GetString()!),
            InputFeeding = f.ConfigBool("input_feeding"),
            AttentionUnits = f.ConfigInt("attention_units"),
            ReturnAttentionScores = true,
            Name = f.Config.GetProperty("decoder_name").GetString(),
        });
        var call = decoder.CallWithState(decoderEmbedding.Call(target), memory, encoderStates);
        var head = new Dense(f.ConfigInt("tgt_vocab"), name: "out");
        var logits = head.Call(call.Output);
        var training = new Model([source, target], [logits]);
        var inspect = new Model([source, target], [logits, call.Weights!, memory, .. encoderStates, .. call.States]);
        var kernels = KernelSet.For(variant);
        training.Kernels = inspect.Kernels = kernels;
        foreach (var layer in training.Layers) layer.Kernels = kernels;

        // Every parameter comes from the fixture, and the fixture's parameters are ours: enc_emb 1, enc_lstm 4,
        // dec_emb 1, dec 5 + the score's (Concat 3, General 1), out 2.
        var keys = training.GetWeights().Keys.ToArray();
        training.SetWeights(keys.ToDictionary(k => k, f.Tensor));
        Assert.Equal(f.Config.GetProperty("score").GetString() == "Concat" ? 16 : 14, keys.Length);
        foreach (var k in keys) Assert.True(f.Has("grad." + k), $"{name} has no gradient for {k}.");
        return new Seq2Seq(f, training, inspect, decoderEmbedding, decoder, head, kernels);
    }

    /// <summary>Asserts |actual − expected| ≤ 1e-5 element-wise; the largest deviation goes to the test output.</summary>
    void Check(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= Tol, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {err:E2} > {Tol:E0}).");
            worst = Math.Max(worst, err);
        }
        output.WriteLine($"{what,-34} max |Δ| = {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SequenceModel_TeacherForcingWithPadding_MatchesPyTorch(string name, KernelVariant variant)
    {
        var (f, training, inspect, _, decoder, _, _) = Build(name, variant);
        var x = new[] { f.Tensor("src"), f.Tensor("tgt_in") };
        // Padding is really there: the masks come from id 0, in the source and in the target.
        Assert.Contains(0f, x[0].ToArray());
        Assert.Contains(0f, x[1].ToArray());

        var outputs = inspect.Forward(x);
        Check(f.Data("logits"), outputs[0].Span, $"{name} logits");
        Check(f.Data("weights"), outputs[1].Span, $"{name} attention weights");
        Check(f.Data("memory"), outputs[2].Span, $"{name} memory (encoder outputs)");
        Check(f.Data("enc_h_n"), outputs[3].Span, $"{name} encoder h_n");
        Check(f.Data("enc_c_n"), outputs[4].Span, $"{name} encoder c_n");
        Check(f.Data("dec_h_n"), outputs[5].Span, $"{name} decoder h_n");
        Check(f.Data("dec_c_n"), outputs[6].Span, $"{name} decoder c_n");
        Assert.Equal(decoder.StateCount, outputs.Count - 5);
        if (decoder.Options.InputFeeding) Check(f.Data("dec_f_n"), outputs[7].Span, $"{name} decoder f_n");

        // A learning rate that leaves the weights as they are: the loss and gradients of this batch.
        training.Compile(new Sgd(1e-30f), new SparseCategoricalCrossentropy(fromLogits: true));
        var loss = training.TrainOnBatch(x, [f.Tensor("tgt_out")]);
        Check(f.Data("loss"), [loss], $"{name} loss");
        foreach (var (key, p) in training.ParameterKeys()) Check(f.Data("grad." + key), p.Gradient.Span, $"{name} ∂loss/∂{key}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneStepDecoder_FedTeacherForcedTokens_ReproducesSequence(string name, KernelVariant variant)
    {
        var (f, _, inspect, decoderEmbedding, decoder, head, kernels) = Build(name, variant);
        int batch = f.ConfigInt("batch"), steps = f.ConfigInt("tgt_time"), sourceSteps = f.ConfigInt("src_time");
        int hidden = f.ConfigInt("hidden_size"), vocabulary = f.ConfigInt("tgt_vocab");
        var src = f.Tensor("src");
        var tgtIn = f.Tensor("tgt_in");
        var sequence = inspect.Forward([src, tgtIn]);
        var sequenceLogits = sequence[0].Clone();
        Tensor[] encoded = [sequence[2].Clone(), sequence[3].Clone(), sequence[4].Clone()];   // memory, h, c

        // The one-step decoder: token [N, 1], h, c (and f), memory [N, S, Dm] → logits [N, 1, V], h, c (and f).
        var token = new Input(1) { Name = "token" };
        var memory = new Input(sourceSteps, hidden) { Name = "memory" };
        Input[] states = [.. Enumerable.Range(0, decoder.StateCount).Select(s => new Input(hidden) { Name = "state" + s })];
        var call = decoder.CallWithState(decoderEmbedding.Call(token), memory, states);
        var step = new Model([token, .. states, memory], [head.Call(call.Output), .. call.States]) { Kernels = kernels };

        // The memory's mask is the source's padding, as the sequence model's encoder passes it on.
        var sourceMask = new Tensor([.. src.ToArray().Select(id => id == 0f ? 0f : 1f)], batch, sourceSteps);
        Tensor?[] masks = [null, .. states.Select(_ => (Tensor?)null), sourceMask];
        var state = new[] { encoded[1], encoded[2], Tensor.Zeros(batch, hidden) }.Take(decoder.StateCount).ToArray();
        var stepped = new double[batch * steps * vocabulary];
        for (var t = 0; t < steps; t++)
        {
            var ids = new Tensor([.. Enumerable.Range(0, batch).Select(b => tgtIn[b, t])], batch, 1);
            var outputs = step.Forward([ids, .. state, encoded[0]], training: false, masks);
            Assert.Equal([batch, 1, vocabulary], outputs[0].Shape.ToArray());
            for (var b = 0; b < batch; b++)
                for (var v = 0; v < vocabulary; v++)
                    stepped[(b * steps + t) * vocabulary + v] = outputs[0][b, 0, v];
            if (t == 0) Check(f.Data("step0_logits"), outputs[0].Span, $"{name} one-step logits, step 0");
            state = [.. outputs.Skip(1).Select(s => s.Clone())];
        }
        Check(stepped, sequenceLogits.Span, $"{name} one-step vs sequence logits");
        Check(f.Data("logits"), [.. stepped.Select(v => (float)v)], $"{name} one-step logits vs PyTorch");
        Check(f.Data("dec_h_n"), state[0].Span, $"{name} one-step final h");
        Check(f.Data("dec_c_n"), state[1].Span, $"{name} one-step final c");
        if (decoder.Options.InputFeeding) Check(f.Data("dec_f_n"), state[2].Span, $"{name} one-step final f");
    }
}
