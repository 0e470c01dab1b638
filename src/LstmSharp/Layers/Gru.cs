// Gru: the gated recurrent unit (gate order r, z, n), in the PyTorch / Keras reset_after form or the reset-before form.
using LstmSharp.Initializers;
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// Gated recurrent unit over <c>[batch, time, features]</c>, with <c>weight_ih_l0 [3H, I]</c>,
/// <c>weight_hh_l0 [3H, H]</c>, <c>bias_ih_l0 [3H]</c>, <c>bias_hh_l0 [3H]</c> (gate blocks r, z, n). By default
/// PyTorch's form (Keras <c>reset_after=True</c>, ONNX <c>linear_before_reset=1</c>):
/// <code>
/// r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))    h' = (1 − z)⊙n + z⊙h
/// </code>
/// With <see cref="GruOptions.ResetAfter"/> false the reset gate scales the state before its product,
/// <c>n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn)</c> (Cho et al. 2014; Keras 2's default; the ONNX default).
/// Initialised as in Keras: Glorot-uniform input kernel, orthogonal recurrent kernel, zero biases.
/// </summary>
public sealed class Gru : Rnn
{
    Parameter? _weightIh, _biasIh, _biasHh;
    float[] _bias = [];     // b_ih + b_hh, added to the input projection in the reset-before form
    Tensor? _xProj;    // [T, B, 3H] x·W_ihᵀ + b_ih (reset-before: + b_hh)
    Tensor? _hProj;    // [T, B, 3H] h_{t-1}·W_hhᵀ + b_hh (reset-before: h·W_h(rz)ᵀ, then (r⊙h)·W_hnᵀ)
    Tensor? _gates;    // [T, B, 3H] activated r, z, n
    Tensor? _dXProj;   // [T, B, 3H]
    Tensor? _dHProj;   // [T, B, 3H]
    Tensor? _dhDirect; // [B, H] z⊙dh
    Tensor? _resetState;   // [T, B, H] reset-before: r⊙h_{t-1}, the input of the n block's recurrent product
    Tensor? _dResetState;  // [B, H] reset-before: ∂loss/∂(r⊙h_{t-1})
    // W_hhᵀ (forward) and W_hh (backward), packed once per update; reset-before: the r, z rows, and the n rows W_hn apart
    readonly PackedMatrix _recurrentT = new(), _recurrent = new(), _recurrentNT = new(), _recurrentN = new();

    /// <summary>A GRU layer of <paramref name="units"/> hidden units (<see cref="GruOptions"/> for the reset-before form).</summary>
    public Gru(int units, RnnOptions? options = null)
        : base(units, options ?? new GruOptions(), stateCount: 1)
    {
    }

    /// <summary>
    /// True (the default) when the reset gate is applied after the recurrent product (<see cref="GruOptions.ResetAfter"/>).
    /// </summary>
    public bool ResetAfter => Options is not GruOptions { ResetAfter: false };

    private protected override int GateCount => 3;

    /// <summary>Keras's reset-before GRU has one bias (3H), its reset_after GRU two, as here.</summary>
    internal override long KerasBiasSurplus => Options.UseBias && !ResetAfter ? 3L * Units : 0;

    internal override Rnn CreateReverse() => new Gru(Units, Options with { GoBackwards = !Options.GoBackwards, Name = Name + "_reverse" });

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        base.WriteConfig(json);
        json.WriteBoolean("reset_after", ResetAfter);
    }

    private protected override void CreateParameters(int inputSize, Rng rng)
    {
        int H = Units, I = inputSize;
        _weightIh = new Parameter("weight_ih_l0", Tensor.Zeros(3 * H, I));
        var weightHh = new Parameter("weight_hh_l0", Tensor.Zeros(3 * H, H));
        Options.KernelInitializer.Fill(_weightIh.Value.Span, 3 * H, I, rng);
        Options.RecurrentInitializer.Fill(weightHh.Value.Span, 3 * H, H, rng);
        (_biasIh, _biasHh) = CreateBiases(3, rng);
        _bias = new float[3 * H];
        SetRecurrentParameters(_weightIh, weightHh, _biasIh, _biasHh);
    }

    private protected override void Allocate(int steps, int batch)
    {
        var G = 3 * Units;
        Ensure(ref _xProj, steps, batch, G);
        Ensure(ref _hProj, steps, batch, G);
        Ensure(ref _gates, steps, batch, G);
        Ensure(ref _dXProj, steps, batch, G);
        Ensure(ref _dhDirect, batch, Units);
        if (ResetAfter)
        {
            Ensure(ref _dHProj, steps, batch, G);
        }
        else
        {
            Ensure(ref _resetState, steps, batch, Units);
            Ensure(ref _dResetState, batch, Units);
        }
    }

    private protected override void ForwardSteps()
    {
        if (!ResetAfter)
        {
            ForwardStepsResetBefore();
            return;
        }
        int T = Steps, B = Batch, H = Units, G = 3 * H;
        var k = Kernels;
        Span<float> xProj = _xProj!.Span, hProj = _hProj!.Span, gates = _gates!.Span, h = State(0);
        var biasHh = _biasHh is null ? default : _biasHh.Value.Values;
        ProjectInputs(xProj, _biasIh is null ? default : _biasIh.Value.Values);
        var recurrent = PackRecurrent(_recurrentT, 0, G, transposed: true);
        for (var t = 0; t < T; t++)
        {
            // hProj_t = h_{t−1} [B, H] · W_hhᵀ + b_hh, then the cell
            k.GruStepForward(RecurrentInput(t), H, recurrent, biasHh, xProj.Slice(t * B * G, B * G), h.Slice(t * B * H, B * H), B, H,
                hProj.Slice(t * B * G, B * G), gates.Slice(t * B * G, B * G), h.Slice((t + 1) * B * H, B * H));
            CarryMaskedStates(t);
        }
    }

    /// <summary>
    /// The reset-before form: both biases join the input projection (every block is a plain sum there); per step
    /// the r, z product of h_{t−1}, the gates, then the n block's product of r⊙h_{t−1}.
    /// </summary>
    void ForwardStepsResetBefore()
    {
        int T = Steps, B = Batch, H = Units, G = 3 * H;
        var k = Kernels;
        Span<float> xProj = _xProj!.Span, hProj = _hProj!.Span, gates = _gates!.Span, h = State(0), rh = _resetState!.Span;

        SumBiases(_biasIh, _biasHh, _bias);
        ProjectInputs(xProj, _bias);
        var recurrentRz = PackRecurrent(_recurrentT, 0, 2 * H, transposed: true);
        var recurrentN = PackRecurrent(_recurrentNT, 2 * H, H, transposed: true);
        for (var t = 0; t < T; t++)
        {
            var xt = xProj.Slice(t * B * G, B * G);
            var ht = hProj.Slice(t * B * G, B * G);
            var gt = gates.Slice(t * B * G, B * G);
            var hIn = RecurrentInput(t);
            var rht = rh.Slice(t * B * H, B * H);
            k.GemmPacked(hIn, H, false, recurrentRz, B, ht, G, accumulate: false);
            k.GruResetGates(xt, ht, hIn, B, H, gt, rht);
            k.GemmPacked(rht, H, false, recurrentN, B, ht[(2 * H)..], G, accumulate: false);
            k.GruResetBeforeCellForward(xt, ht, h.Slice(t * B * H, B * H), B, H, gt, h.Slice((t + 1) * B * H, B * H));
            CarryMaskedStates(t);
        }
    }

    private protected override void BackwardSteps()
    {
        if (!ResetAfter)
        {
            BackwardStepsResetBefore();
            return;
        }
        int T = Steps, B = Batch, I = InputSize, H = Units, G = 3 * H;
        var k = Kernels;
        Span<float> hProj = _hProj!.Span, gates = _gates!.Span, dXProj = _dXProj!.Span, dHProj = _dHProj!.Span;
        Span<float> h = State(0), dh = DState(0), dOut = DOutput, dhDirect = _dhDirect!.Span;
        var recurrent = PackRecurrent(_recurrent, 0, G, transposed: false);
        for (var t = T - 1; t >= 0; t--)
        {
            k.Add(dOut.Slice(t * B * H, B * H), dh);
            HoldMaskedGradients(t);
            var dht = dHProj.Slice(t * B * G, B * G);
            k.GruCellBackward(gates.Slice(t * B * G, B * G), hProj.Slice(t * B * G, B * G), h.Slice(t * B * H, B * H), dh, B, H,
                dXProj.Slice(t * B * G, B * G), dht, dhDirect);
            // dh_{t-1} = z⊙dh + dHProj_t [B, 3H] · W_hh [3H, H]
            k.GemmPacked(dht, G, false, recurrent, B, dh, H, accumulate: false);
            ScaleRecurrentGradient(dh);
            k.Add(dhDirect, dh);
            ReleaseMaskedGradients(t);
        }

        k.Gemm(dXProj, G, true, X, I, false, G, I, T * B, _weightIh!.Gradient.Span, I, accumulate: true);
        k.Gemm(dHProj, G, true, RecurrentInputs, H, false, G, H, T * B, RecurrentWeightGradient, H, accumulate: true);
        if (_biasIh is not null)
        {
            k.SumRows(dXProj, T * B, G, _biasIh.Gradient.Span);
            k.SumRows(dHProj, T * B, G, _biasHh!.Gradient.Span);
        }
        k.Gemm(dXProj, G, false, _weightIh.Value.Values, I, false, T * B, I, G, DX, I, accumulate: false);
    }

    /// <summary>
    /// The reset-before backward. In this form the gradients of the input projection and of the recurrent
    /// products are the same pre-activation gradients, so dXProj serves both: its r, z blocks multiply W_h(rz)
    /// and h_{t−1}, its n block W_hn and r⊙h_{t−1}.
    /// </summary>
    void BackwardStepsResetBefore()
    {
        int T = Steps, B = Batch, I = InputSize, H = Units, G = 3 * H;
        var k = Kernels;
        Span<float> gates = _gates!.Span, dXProj = _dXProj!.Span, rh = _resetState!.Span, dRh = _dResetState!.Span;
        Span<float> h = State(0), dh = DState(0), dOut = DOutput, dhDirect = _dhDirect!.Span;
        var dWHh = RecurrentWeightGradient;

        var recurrentRz = PackRecurrent(_recurrent, 0, 2 * H, transposed: false);
        var recurrentN = PackRecurrent(_recurrentN, 2 * H, H, transposed: false);
        for (var t = T - 1; t >= 0; t--)
        {
            k.Add(dOut.Slice(t * B * H, B * H), dh);
            HoldMaskedGradients(t);
            var gt = gates.Slice(t * B * G, B * G);
            var dgt = dXProj.Slice(t * B * G, B * G);
            var hIn = RecurrentInputs.Slice(t * B * H, B * H);
            k.GruResetBeforeCellBackward(gt, h.Slice(t * B * H, B * H), dh, B, H, dgt, dhDirect);
            // ∂loss/∂(r⊙h_{t-1}) [B, H] = dA_n [B, H] · W_hn [H, H]; then dA_r, and its share r⊙∂ of h_{t-1}.
            k.GemmPacked(dgt[(2 * H)..], G, false, recurrentN, B, dRh, H, accumulate: false);
            k.GruResetGatesBackward(gt, hIn, B, H, dRh, dgt);
            // dh_{t-1} = z⊙dh + (dA_r, dA_z) [B, 2H] · W_h(rz) [2H, H] + r⊙∂(r⊙h_{t-1})
            k.GemmPacked(dgt, G, false, recurrentRz, B, dh, H, accumulate: false);
            k.Add(dRh, dh);
            ScaleRecurrentGradient(dh);
            k.Add(dhDirect, dh);
            ReleaseMaskedGradients(t);
        }

        k.Gemm(dXProj, G, true, X, I, false, G, I, T * B, _weightIh!.Gradient.Span, I, accumulate: true);
        k.Gemm(dXProj, G, true, RecurrentInputs, H, false, 2 * H, H, T * B, dWHh[..(2 * H * H)], H, accumulate: true);
        k.Gemm(dXProj[(2 * H)..], G, true, rh, H, false, H, H, T * B, dWHh[(2 * H * H)..], H, accumulate: true);
        AddBiasGradients(dXProj, T * B, G, _biasIh, _biasHh);
        k.Gemm(dXProj, G, false, _weightIh.Value.Values, I, false, T * B, I, G, DX, I, accumulate: false);
    }
}
