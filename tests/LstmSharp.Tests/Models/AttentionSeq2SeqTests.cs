// An encoder–decoder learns to reverse 16-token sequences in 6 epochs with Luong attention over the encoder's steps
// (decoder state ⊕ context → tanh → logits), and does not without it: the graph model and the Attention layer
// together do what attention was invented for. Over seeds 1–3 the attention model reached 100 % on held-out
// sequences every time and the plain one 53–65 %, so the bounds below leave wide margins.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class AttentionSeq2SeqTests
{
    const int Vocabulary = 10, Steps = 16, Samples = 2000, Train = 1600;

    [Fact]
    public void Reversal_WithAttention_IsLearned_WithoutItIsNot()
    {
        var rng = new Random(1);
        var (src, decoderIn, target) = (Tensor.Zeros(Samples, Steps), Tensor.Zeros(Samples, Steps), Tensor.Zeros(Samples, Steps));
        for (var s = 0; s < Samples; s++)
        {
            var sequence = Enumerable.Range(0, Steps).Select(_ => rng.Next(2, Vocabulary)).ToArray();
            for (var t = 0; t < Steps; t++)
            {
                src[s, t] = sequence[t];
                target[s, t] = sequence[Steps - 1 - t];
                decoderIn[s, t] = t == 0 ? 1 : sequence[Steps - t];   // teacher forcing: the target shifted right behind id 1
            }
        }
        double Accuracy(bool attention)
        {
            var source = new Input(-1) { Name = "source" };
            var shifted = new Input(-1) { Name = "target" };
            var (encoded, states) = new Lstm(32, new() { ReturnSequences = true }).CallWithState(new Embedding(Vocabulary, 16).Call(source));
            var decoded = new Lstm(32, new() { ReturnSequences = true }).Call(new Embedding(Vocabulary, 16).Call(shifted), states);
            var features = attention ? new Dense(32, Activation.Tanh).Call(new Concatenate().Call(decoded, new Attention().Call(decoded, encoded))) : decoded;
            var model = new Model([source, shifted], [new Dense(Vocabulary).Call(features)], seed: 2);
            model.Compile(new Adam(0.01f), new SparseCategoricalCrossentropy(fromLogits: true), new SparseCategoricalAccuracy());
            model.Fit([src.Slice(0, Train), decoderIn.Slice(0, Train)], [target.Slice(0, Train)], new FitOptions { Epochs = 6, BatchSize = 32 });
            return model.Evaluate([src.Slice(Train, Samples - Train), decoderIn.Slice(Train, Samples - Train)], [target.Slice(Train, Samples - Train)])["accuracy"];
        }
        var with = Accuracy(attention: true);
        var without = Accuracy(attention: false);
        Assert.True(with > 0.95, $"with attention {with:P1}");
        Assert.True(without < 0.8, $"without attention {without:P1}");
    }
}
