// Lstm: the long short-term memory layer (gate order i, f, g, o), optionally with Gers–Schmidhuber peepholes.
using LstmSharp.Initializers;
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// Long short-term memory over <c>[batch, time, features]</c>, with PyTorch's parameters
/// <c>weight_ih_l0 [4H, I]</c>, <c>weight_hh_l0 [4H, H]</c>, <c>bias_ih_l0 [4H]</c>, <c>bias_hh_l0 [4H]</c>
/// (gate blocks i, f, g, o) and, with <see cref="LstmOptions.Peepholes"/>, <c>weight_peephole_l0 [3H]</c>:
/// <code>
/// i = σ(W_ii x + b_ii + W_hi h + b_hi [+ p_i⊙c])    f = σ(W_if x + b_if + W_hf h + b_hf [+ p_f⊙c])
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg)           c' = f⊙c + i⊙g
/// o = σ(W_io x + b_io + W_ho h + b_ho [+ p_o⊙c'])   h' = o⊙tanh(c')
/// </code>
/// Initialised as in Keras (see <see cref="RnnOptions"/>): Glorot-uniform input kernel, orthogonal recurrent
/// kernel, zero biases with the forget-gate bias at 1 (<see cref="LstmOptions.UnitForgetBias"/>); peepholes
/// U(±√(3/H)). States: h, then c.
/// </summary>
public sealed partial class Lstm : Rnn
{
    Parameter? _weightIh, _biasIh, _biasHh, _peephole;
    float[] _bias = [];        // [4H] b_ih + b_hh
    Tensor? _gates;            // [T, B, 4H] activated gates i, f, g, o
    Tensor? _tanhC;            // [T, B, H]
    Tensor? _dGates;           // [T, B, 4H] ∂loss/∂pre-activations
    readonly PackedMatrix _recurrentT = new(), _recurrent = new();   // W_hhᵀ (forward), W_hh (backward): packed once per update

    /// <summary>An LSTM layer of <paramref name="units"/> hidden units.</summary>
    public Lstm(int units, LstmOptions? options = null)
        : base(units, options ?? new LstmOptions(), stateCount: 2)
        => LstmOptions = options ?? new LstmOptions();

    /// <summary>The LSTM-specific options.</summary>
    public LstmOptions LstmOptions { get; }

    private protected override int GateCount => 4;

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        base.WriteConfig(json);
        json.WriteBoolean("peepholes", LstmOptions.Peepholes);
        json.WriteBoolean("unit_forget_bias", LstmOptions.UnitForgetBias);
    }

    internal override long ParameterCountFor(int[] inputShape)
        => checked(base.ParameterCountFor(inputShape) + (LstmOptions.Peepholes ? 3L * Units : 0));

    /// <summary>Keras's LSTM has one bias of 4H; this one has bias_ih and bias_hh.</summary>
    internal override long KerasBiasSurplus => Options.UseBias ? 4L * Units : 0;

    internal override Rnn CreateReverse() => new Lstm(Units, LstmOptions with { GoBackwards = !LstmOptions.GoBackwards, Name = Name + "_reverse" });

    private protected override void CreateParameters(int inputSize, Rng rng)
    {
        int H = Units, I = inputSize;
        _weightIh = new Parameter("weight_ih_l0", Tensor.Zeros(4 * H, I));
        var weightHh = new Parameter("weight_hh_l0", Tensor.Zeros(4 * H, H));
        Options.KernelInitializer.Fill(_weightIh.Value.Span, 4 * H, I, rng);
        Options.RecurrentInitializer.Fill(weightHh.Value.Span, 4 * H, H, rng);
        (_biasIh, _biasHh) = CreateBiases(4, rng);
        if (_biasIh is not null && LstmOptions.ChronoMaxSteps is { } maxSteps)
        {
            var b = _biasIh.Value.Span;
            for (var j = 0; j < H; j++)
            {
                b[H + j] = MathF.Log(rng.Uniform(1f, maxSteps - 1));
                b[j] = -b[H + j];
            }
        }
        else if (_biasIh is not null && LstmOptions.UnitForgetBias)
        {
            _biasIh.Value.Span.Slice(H, H).Fill(1f);
        }
        _bias = new float[4 * H];
        if (LstmOptions.Peepholes)
        {
            _peephole = new Parameter("weight_peephole_l0", Tensor.Zeros(3 * H));
            new GlorotUniform().Fill(_peephole.Value.Span, H, H, rng);
            SetRecurrentParameters(_weightIh, weightHh, _biasIh, _biasHh, _peephole);
        }
        else
        {
            SetRecurrentParameters(_weightIh, weightHh, _biasIh, _biasHh);
        }
    }

    private protected override void Allocate(int steps, int batch)
    {
        Ensure(ref _gates, steps, batch, 4 * Units);
        Ensure(ref _dGates, steps, batch, 4 * Units);
        Ensure(ref _tanhC, steps, batch, Units);
    }

    private protected override void ForwardSteps()
    {
        int T = Steps, B = Batch, H = Units, G = 4 * H;
        var k = Kernels;
        var peep = _peephole is null ? default : _peephole.Value.Values;
        Span<float> gates = _gates!.Span, tanhC = _tanhC!.Span, h = State(0), c = State(1);

        // gates [T·B, 4H] = X [T·B, I] · W_ihᵀ + b_ih + b_hh: the inputs of every step in one GEMM.
        SumBiases(_biasIh, _biasHh, _bias);
        ProjectInputs(gates, _bias);
        var recurrent = PackRecurrent(_recurrentT, 0, G, transposed: true);
        for (var t = 0; t < T; t++)
        {
            // gates_t += h_{t-1} [B, H] · W_hhᵀ, then the cell
            Span<float> cPrev = c.Slice(t * B * H, B * H), cNew = c.Slice((t + 1) * B * H, B * H), hNew = h.Slice((t + 1) * B * H, B * H);
            k.LstmStepForward(RecurrentInput(t), H, recurrent, cPrev, peep, B, H, gates.Slice(t * B * G, B * G), cNew, tanhC.Slice(t * B * H, B * H), hNew);
            CarryMaskedStates(t);
        }
    }

    private protected override void BackwardSteps()
    {
        int T = Steps, B = Batch, I = InputSize, H = Units, G = 4 * H;
        var k = Kernels;
        var peep = _peephole is null ? default : _peephole.Value.Values;
        var dPeep = _peephole is null ? default : _peephole.Gradient.Span;
        Span<float> gates = _gates!.Span, dGates = _dGates!.Span, tanhC = _tanhC!.Span, h = State(0), c = State(1);
        Span<float> dh = DState(0), dc = DState(1), dOut = DOutput;

        var recurrent = PackRecurrent(_recurrent, 0, G, transposed: false);
        for (var t = T - 1; t >= 0; t--)
        {
            k.Add(dOut.Slice(t * B * H, B * H), dh);
            HoldMaskedGradients(t);
            var dgt = dGates.Slice(t * B * G, B * G);
            k.LstmCellBackward(gates.Slice(t * B * G, B * G), c.Slice(t * B * H, B * H), c.Slice((t + 1) * B * H, B * H),
                tanhC.Slice(t * B * H, B * H), peep, dh, B, H, dc, dgt, dPeep);
            // dh_{t-1} [B, H] = dGates_t [B, 4H] · W_hh [4H, H]
            k.GemmPacked(dgt, G, false, recurrent, B, dh, H, accumulate: false);
            ScaleRecurrentGradient(dh);
            ReleaseMaskedGradients(t);
        }

        // Weight gradients for all steps at once: dW_ih += dGatesᵀ · X, dW_hh += dGatesᵀ · h_{t-1}.
        k.Gemm(dGates, G, true, X, I, false, G, I, T * B, _weightIh!.Gradient.Span, I, accumulate: true);
        k.Gemm(dGates, G, true, RecurrentInputs, H, false, G, H, T * B, RecurrentWeightGradient, H, accumulate: true);
        AddBiasGradients(dGates, T * B, G, _biasIh, _biasHh);
        // dX [T·B, I] = dGates · W_ih
        k.Gemm(dGates, G, false, _weightIh.Value.Values, I, false, T * B, I, G, DX, I, accumulate: false);
    }
}
