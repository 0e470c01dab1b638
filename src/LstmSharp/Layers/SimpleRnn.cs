// SimpleRnn: the plain (Elman) recurrent layer with tanh, kept to show why LSTMs exist.
using LstmSharp.Initializers;
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// Fully-connected recurrent layer over <c>[batch, time, features]</c>:
/// <c>h' = tanh(W_ih x + b_ih + W_hh h + b_hh)</c>, with PyTorch's <c>weight_ih_l0 [H, I]</c>,
/// <c>weight_hh_l0 [H, H]</c>, <c>bias_ih_l0 [H]</c>, <c>bias_hh_l0 [H]</c>. Initialised as in Keras
/// (Glorot-uniform input kernel, orthogonal recurrent kernel, zero biases).
/// </summary>
public sealed class SimpleRnn : Rnn
{
    Parameter? _weightIh, _biasIh, _biasHh;
    float[] _bias = [];   // [H] b_ih + b_hh
    Tensor? _dA;          // [T, B, H] ∂loss/∂pre-activation
    readonly PackedMatrix _recurrentT = new(), _recurrent = new();   // W_hhᵀ (forward), W_hh (backward): packed once per update

    /// <summary>A simple RNN layer of <paramref name="units"/> hidden units.</summary>
    public SimpleRnn(int units, RnnOptions? options = null)
        : base(units, options ?? new RnnOptions(), stateCount: 1)
    {
    }

    private protected override int GateCount => 1;

    /// <summary>Keras's SimpleRNN has one bias of H; this one has bias_ih and bias_hh.</summary>
    internal override long KerasBiasSurplus => Options.UseBias ? Units : 0;

    internal override Rnn CreateReverse() => new SimpleRnn(Units, Options with { GoBackwards = !Options.GoBackwards, Name = Name + "_reverse" });

    private protected override void CreateParameters(int inputSize, Rng rng)
    {
        int H = Units, I = inputSize;
        _weightIh = new Parameter("weight_ih_l0", Tensor.Zeros(H, I));
        var weightHh = new Parameter("weight_hh_l0", Tensor.Zeros(H, H));
        Options.KernelInitializer.Fill(_weightIh.Value.Span, H, I, rng);
        Options.RecurrentInitializer.Fill(weightHh.Value.Span, H, H, rng);
        (_biasIh, _biasHh) = CreateBiases(1, rng);
        _bias = new float[H];
        SetRecurrentParameters(_weightIh, weightHh, _biasIh, _biasHh);
    }

    private protected override void Allocate(int steps, int batch) => Ensure(ref _dA, steps, batch, Units);

    private protected override void ForwardSteps()
    {
        int T = Steps, B = Batch, H = Units;
        var k = Kernels;
        var h = State(0);
        // h[1..T] [T·B, H] = X · W_ihᵀ + b_ih + b_hh, then per step += h_{t-1}·W_hhᵀ and tanh.
        SumBiases(_biasIh, _biasHh, _bias);
        ProjectInputs(h.Slice(B * H, T * B * H), _bias);
        var recurrent = PackRecurrent(_recurrentT, 0, H, transposed: true);
        for (var t = 0; t < T; t++)
        {
            var ht = h.Slice((t + 1) * B * H, B * H);
            k.GemmPacked(RecurrentInput(t), H, false, recurrent, B, ht, H, accumulate: true);
            k.Tanh(ht);
            CarryMaskedStates(t);
        }
    }

    private protected override void BackwardSteps()
    {
        int T = Steps, B = Batch, I = InputSize, H = Units;
        var k = Kernels;
        Span<float> h = State(0), dh = DState(0), dOut = DOutput, dA = _dA!.Span;
        var recurrent = PackRecurrent(_recurrent, 0, H, transposed: false);
        for (var t = T - 1; t >= 0; t--)
        {
            k.Add(dOut.Slice(t * B * H, B * H), dh);
            HoldMaskedGradients(t);
            var dAt = dA.Slice(t * B * H, B * H);
            k.TanhBackward(h.Slice((t + 1) * B * H, B * H), dh, dAt);
            k.GemmPacked(dAt, H, false, recurrent, B, dh, H, accumulate: false);
            ScaleRecurrentGradient(dh);
            ReleaseMaskedGradients(t);
        }
        k.Gemm(dA, H, true, X, I, false, H, I, T * B, _weightIh!.Gradient.Span, I, accumulate: true);
        k.Gemm(dA, H, true, RecurrentInputs, H, false, H, H, T * B, RecurrentWeightGradient, H, accumulate: true);
        AddBiasGradients(dA, T * B, H, _biasIh, _biasHh);
        k.Gemm(dA, H, false, _weightIh.Value.Values, I, false, T * B, I, H, DX, I, accumulate: false);
    }
}
