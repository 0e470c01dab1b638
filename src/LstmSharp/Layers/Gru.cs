// Gru: the gated recurrent unit in the PyTorch / Keras reset_after form (gate order r, z, n).
using LstmSharp.Initializers;
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// Gated recurrent unit over <c>[batch, time, features]</c> (PyTorch's form, Keras <c>reset_after=True</c>),
/// with <c>weight_ih_l0 [3H, I]</c>, <c>weight_hh_l0 [3H, H]</c>, <c>bias_ih_l0 [3H]</c>, <c>bias_hh_l0 [3H]</c>
/// (gate blocks r, z, n):
/// <code>
/// r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))    h' = (1 − z)⊙n + z⊙h
/// </code>
/// Initialised as in Keras: Glorot-uniform input kernel, orthogonal recurrent kernel, zero biases.
/// </summary>
public sealed class Gru : Rnn
{
    Parameter? _weightIh, _weightHh, _biasIh, _biasHh;
    Tensor? _xProj;    // [T, B, 3H] x·W_ihᵀ + b_ih
    Tensor? _hProj;    // [T, B, 3H] h_{t-1}·W_hhᵀ + b_hh
    Tensor? _gates;    // [T, B, 3H] activated r, z, n
    Tensor? _dXProj;   // [T, B, 3H]
    Tensor? _dHProj;   // [T, B, 3H]
    Tensor? _dhDirect; // [B, H] z⊙dh
    readonly PackedMatrix _recurrent = new();   // W_hhᵀ (forward) or W_hh (backward), packed once per pass

    /// <summary>A GRU layer of <paramref name="units"/> hidden units.</summary>
    public Gru(int units, RnnOptions? options = null)
        : base(units, options ?? new RnnOptions(), stateCount: 1)
    {
    }

    private protected override int GateCount => 3;

    internal override Rnn CreateReverse() => new Gru(Units, Options with { GoBackwards = !Options.GoBackwards, Name = Name + "_reverse" });

    private protected override void CreateParameters(int inputSize, Rng rng)
    {
        int H = Units, I = inputSize;
        _weightIh = new Parameter("weight_ih_l0", Tensor.Zeros(3 * H, I));
        _weightHh = new Parameter("weight_hh_l0", Tensor.Zeros(3 * H, H));
        _biasIh = new Parameter("bias_ih_l0", Tensor.Zeros(3 * H));
        _biasHh = new Parameter("bias_hh_l0", Tensor.Zeros(3 * H));
        Options.KernelInitializer.Fill(_weightIh.Value.Span, 3 * H, I, rng);
        Options.RecurrentInitializer.Fill(_weightHh.Value.Span, 3 * H, H, rng);
        Options.BiasInitializer.Fill(_biasIh.Value.Span, 3 * H, 1, rng);
        SetParameters(_weightIh, _weightHh, _biasIh, _biasHh);
    }

    private protected override void Allocate(int steps, int batch)
    {
        var G = 3 * Units;
        Ensure(ref _xProj, steps, batch, G);
        Ensure(ref _hProj, steps, batch, G);
        Ensure(ref _gates, steps, batch, G);
        Ensure(ref _dXProj, steps, batch, G);
        Ensure(ref _dHProj, steps, batch, G);
        Ensure(ref _dhDirect, batch, Units);
    }

    private protected override void ForwardSteps()
    {
        int T = Steps, B = Batch, I = InputSize, H = Units, G = 3 * H;
        var k = Kernels;
        Span<float> xProj = _xProj!.Span, hProj = _hProj!.Span, gates = _gates!.Span, h = State(0);
        var wHh = _weightHh!.Value.Span;
        var bHh = _biasHh!.Value.Span;

        k.Gemm(X, I, false, _weightIh!.Value.Span, I, true, T * B, G, I, xProj, G, accumulate: false);
        k.AddBias(_biasIh!.Value.Span, T * B, G, xProj);
        // W_hh is packed once for all steps; a single step multiplies it directly (cheaper than packing).
        var packed = T > 1;
        if (packed) k.Pack(wHh, H, transB: true, H, G, _recurrent);
        for (var t = 0; t < T; t++)
        {
            var ht = hProj.Slice(t * B * G, B * G);
            var hPrev = h.Slice(t * B * H, B * H);
            if (packed) k.GemmPacked(RecurrentInput(t), H, false, _recurrent, B, ht, G, accumulate: false);
            else k.Gemm(RecurrentInput(t), H, false, wHh, H, true, B, G, H, ht, G, accumulate: false);
            k.AddBias(bHh, B, G, ht);
            k.GruCellForward(xProj.Slice(t * B * G, B * G), ht, hPrev, B, H, gates.Slice(t * B * G, B * G), h.Slice((t + 1) * B * H, B * H));
            CarryMaskedStates(t);
        }
    }

    private protected override void BackwardSteps()
    {
        int T = Steps, B = Batch, I = InputSize, H = Units, G = 3 * H;
        var k = Kernels;
        Span<float> hProj = _hProj!.Span, gates = _gates!.Span, dXProj = _dXProj!.Span, dHProj = _dHProj!.Span;
        Span<float> h = State(0), dh = DState(0), dOut = DOutput, dhDirect = _dhDirect!.Span;
        var wHh = _weightHh!.Value.Span;

        k.Pack(wHh, H, transB: false, G, H, _recurrent);
        for (var t = T - 1; t >= 0; t--)
        {
            k.Add(dOut.Slice(t * B * H, B * H), dh);
            HoldMaskedGradients(t);
            var dht = dHProj.Slice(t * B * G, B * G);
            k.GruCellBackward(gates.Slice(t * B * G, B * G), hProj.Slice(t * B * G, B * G), h.Slice(t * B * H, B * H), dh, B, H,
                dXProj.Slice(t * B * G, B * G), dht, dhDirect);
            // dh_{t-1} = z⊙dh + dHProj_t [B, 3H] · W_hh [3H, H]
            k.GemmPacked(dht, G, false, _recurrent, B, dh, H, accumulate: false);
            ScaleRecurrentGradient(dh);
            k.Add(dhDirect, dh);
            ReleaseMaskedGradients(t);
        }

        k.Gemm(dXProj, G, true, X, I, false, G, I, T * B, _weightIh!.Gradient.Span, I, accumulate: true);
        k.Gemm(dHProj, G, true, RecurrentInputs, H, false, G, H, T * B, _weightHh!.Gradient.Span, H, accumulate: true);
        k.SumRows(dXProj, T * B, G, _biasIh!.Gradient.Span);
        k.SumRows(dHProj, T * B, G, _biasHh!.Gradient.Span);
        k.Gemm(dXProj, G, false, _weightIh.Value.Span, I, false, T * B, I, G, DX, I, accumulate: false);
    }
}
