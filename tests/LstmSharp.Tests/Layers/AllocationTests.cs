// A warmed-up forward + backward + update allocates nothing, on every layer, at a size large enough that the
// GEMMs are split across the worker threads.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class AllocationTests
{
    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void TrainingStep_AfterWarmUp_AllocatesNothing(KernelVariant variant)
    {
        const int B = 16, T = 12, V = 50;
        var kernels = KernelSet.For(variant);
        Layer[] layers =
        [
            new Embedding(V, 24),
            new Lstm(64, new() { ReturnSequences = true, Peepholes = true }),
            new Dropout(0.25f, seed: 1),
            new Gru(40, new() { ReturnSequences = true, GoBackwards = true }),
            new SimpleRnn(24),
            new Dense(5, Activation.Softmax),
        ];
        var shape = new[] { T };
        foreach (var layer in layers)
        {
            layer.Kernels = kernels;
            shape = layer.Build(shape, seed: 2);
        }
        var ids = Tensor.Zeros(B, T);
        for (var i = 0; i < ids.Length; i++) ids.Span[i] = i % V;
        var dOut = Tensor.Full(0.1f, B, 5);
        var sgd = new Sgd(0.01f, momentum: 0.9f);

        void Step()
        {
            var x = ids;
            foreach (var layer in layers) x = layer.Forward(x, training: true);
            var d = dOut;
            for (var l = layers.Length - 1; l >= 0; l--) d = layers[l].Backward(d);
            foreach (var layer in layers)
            {
                sgd.Step(layer.Parameters);
                layer.ZeroGradients();
            }
        }

        Step();
        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3; i++) Step();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SequentialTrainOnBatch_WithMaskDropoutMetricsAndClipping_AllocatesNothing(bool awd)
    {
        // awd: AWD-LSTM's embedding dropout, locked dropout and weight drop as well.
        const int B = 8, T = 10;
        var model = new Sequential(3, new Input(-1),
            new Embedding(30, 8, dropout: awd ? 0.1f : 0f),
            new SpatialDropout1D(awd ? 0.4f : 0f),
            new Bidirectional(new Lstm(16, new()
            {
                ReturnSequences = true, Dropout = 0.2f, RecurrentDropout = 0.2f, WeightDropout = awd ? 0.5f : 0f, KernelRegularizer = new Regularizer(l2: 1e-4f),
            })),
            new TimeDistributed(new Dense(5, Activation.Softmax)));
        model.Compile(new Adam { GlobalClipNorm = 1f, ClipValue = 0.5f }, new SparseCategoricalCrossentropy(), new SparseCategoricalAccuracy(), new Perplexity());
        var ids = Tensor.Zeros(B, T);
        var y = Tensor.Zeros(B, T);
        for (var i = 0; i < ids.Length; i++)
        {
            ids.Span[i] = i % 7 == 0 ? 0 : i % 30;
            y.Span[i] = i % 5;
        }
        var weights = Tensor.Full(1f, B, T);
        model.TrainOnBatch(ids, y, weights);
        model.TrainOnBatch(ids, y, weights);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3; i++) model.TrainOnBatch(ids, y, weights);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
