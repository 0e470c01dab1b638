// An encoder–decoder LSTM with teacher forcing against PyTorch (tools/torch_fixtures, seq2seq_lstm.json): the
// encoder's final (h, c) start the decoder, whose every step is projected to target-vocabulary logits; the logits,
// the encoder state, the mean cross-entropy and every parameter gradient match PyTorch's float64 values.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class Seq2SeqTorchParityTests
{
    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void EncoderDecoder_TeacherForcing_MatchesPyTorch(KernelVariant variant)
    {
        var f = TorchFixture.Load("seq2seq_lstm");
        int emb = f.ConfigInt("embedding_dim"), hidden = f.ConfigInt("hidden_size");
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var encoder = new Lstm(hidden, new() { Name = "enc_lstm" });
        var (_, states) = encoder.CallWithState(new Embedding(f.ConfigInt("src_vocab"), emb, "enc_emb").Call(source));
        var decoded = new Lstm(hidden, new() { ReturnSequences = true, Name = "dec_lstm" }).Call(new Embedding(f.ConfigInt("tgt_vocab"), emb, "dec_emb").Call(target), states);
        var logits = new Dense(f.ConfigInt("tgt_vocab"), name: "out").Call(decoded);
        var model = new Model([source, target], [logits]);
        var kernels = KernelSet.For(variant);
        model.Kernels = kernels;
        foreach (var layer in model.Layers) layer.Kernels = kernels;
        model.SetWeights(model.GetWeights().Keys.ToDictionary(k => k, f.Tensor));
        model.Compile(new Sgd(1e-30f), new SparseCategoricalCrossentropy(fromLogits: true));

        var src = f.Tensor("src");
        var tgtIn = f.Tensor("tgt_in");
        var loss = model.TrainOnBatch([src, tgtIn], [f.Tensor("tgt_out")]);

        Assert.Equal(f.Data("loss")[0], loss, 1e-5);
        Approx.Equal(f.Data("enc_h_n"), encoder.FinalState[0], 1e-5, "encoder h_n");
        Approx.Equal(f.Data("enc_c_n"), encoder.FinalState[1], 1e-5, "encoder c_n");
        Approx.Equal(f.Data("logits"), model.Forward([src, tgtIn])[0], 1e-5, "logits");
        foreach (var (key, p) in model.ParameterKeys()) Approx.Equal(f.Data("grad." + key), p.Gradient, 1e-5, "∂loss/∂" + key);
    }
}
