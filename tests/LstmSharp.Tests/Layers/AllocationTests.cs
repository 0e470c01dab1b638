// A warmed-up forward + backward + update allocates nothing, on every layer, at a size large enough that the
// GEMMs are split across the worker threads.
using LstmSharp.Kernels;
using LstmSharp.Layers;
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
}
