// Rnn: the loop over time shared by Lstm, Gru and SimpleRnn. It turns the batch-first input into time-major
// buffers (reversed for GoBackwards), holds the states of every step, and turns the results back; the
// subclasses run the steps with one input GEMM, one recurrent GEMM plus one fused kernel per step, and one
// large weight-gradient GEMM after the backward loop.
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// A recurrent layer over <c>[batch, time, features]</c>. Besides the output it exposes its final state
/// (<see cref="FinalState"/>: h, and c for an LSTM) and accepts an initial state and the gradients of the
/// final state, as Keras's <c>return_state</c> / <c>initial_state</c> do.
/// </summary>
public abstract class Rnn : Layer
{
    Tensor? _x;       // [T, B, I] input, time-major, in processing order
    Tensor? _dx;      // [T, B, I]
    Tensor? _dOut;    // [T, B, H] ∂loss/∂h_t arriving from the output
    Tensor? _output;  // [B, T, H] or [B, H]
    Tensor? _dInput;  // [B, T, I]
    Tensor? _mask;    // [T, B] 1 = real step, in processing order; null without a mask
    Tensor? _outputMask; // [B, T] the mask reversed, for GoBackwards sequences
    Tensor? _held;    // [B, H] per state: ∂loss/∂state of masked rows, carried past their step
    int[] _firstReal = [];  // [B] each row's first real processing step (T if none), with a mask and ZeroOutputForMask off
    Rng? _dropoutRng;
    Tensor? _inputMask;      // [B, I] input dropout scales (0 or 1/(1−p)), one per sequence
    Tensor? _recurrentMask;  // [B, H] recurrent dropout scales
    Tensor? _hDropped;       // [T, B, H] h_{t−1} ⊙ recurrent mask, the recurrent GEMM's input
    Parameter? _weightIh;        // weight_ih_l0, [G·H, I]
    Parameter? _weightHh;        // weight_hh_l0, the weight that weight dropout masks
    readonly PackedMatrix _packedInput = new();   // W_ihᵀ for the input projection, packed once per update of W_ih
    Tensor? _weightMask;         // [G·H, H] weight dropout scales (0 or 1/(1−p)), one draw per training pass
    bool _weightMaskFixed;       // a test has set the weight mask: training passes reuse it instead of drawing
    Tensor? _droppedWeightHh;    // [G·H, H] W_hh ⊙ weight mask, the weight the steps multiply by
    Tensor? _dDroppedWeightHh;   // [G·H, H] ∂loss/∂(W_hh ⊙ weight mask), folded into W_hh's gradient after the steps
    readonly Tensor[] _states;          // each [T+1, B, H]; slot 0 is the initial state
    readonly Tensor[] _finalState;      // each [B, H]
    readonly Tensor[] _dState;          // each [B, H]: running ∂loss/∂state, finally ∂loss/∂initial state

    /// <summary>Creates the shared part of a recurrent layer.</summary>
    private protected Rnn(int units, RnnOptions options, int stateCount)
        : base(options.Name)
    {
        Guard.Positive(units);
        Units = units;
        Options = options;
        _states = new Tensor[stateCount];
        _finalState = new Tensor[stateCount];
        _dState = new Tensor[stateCount];
    }

    /// <summary>Number of hidden units H.</summary>
    public int Units { get; }

    /// <summary>Input features I (known once built).</summary>
    public int InputSize { get; private set; }

    /// <summary>The layer's options.</summary>
    public RnnOptions Options { get; }

    /// <summary>Number of state tensors: 2 (h, c) for an LSTM, 1 (h) otherwise.</summary>
    public int StateCount => _states.Length;

    /// <summary>
    /// The state after the last processed step of the last forward pass, each <c>[batch, units]</c>; a
    /// <see cref="RnnOptions.Stateful"/> layer starts its next pass from it.
    /// </summary>
    public IReadOnlyList<Tensor> FinalState => _finalState[0] is null ? throw NoForward() : _finalState;

    /// <summary>
    /// Zeros the state a <see cref="RnnOptions.Stateful"/> layer carries (and so <see cref="FinalState"/>): the
    /// next forward pass starts from zeros. Does nothing for a layer that is not stateful.
    /// </summary>
    public override void ResetStates()
    {
        if (!Options.Stateful) return;
        foreach (var state in _finalState) state?.Span.Clear();
    }

    /// <summary>∂loss/∂initial state after the last backward pass, each <c>[batch, units]</c>.</summary>
    public IReadOnlyList<Tensor> InitialStateGradient => _dState[0] is null ? throw NoForward() : _dState;

    /// <summary>Sequence length T of the last forward pass.</summary>
    protected int Steps { get; private set; }

    /// <summary>Batch size B of the last forward pass.</summary>
    protected int Batch { get; private set; }

    /// <summary>The input, time-major <c>[T, B, I]</c>.</summary>
    protected Span<float> X => _x!.Span;

    /// <summary>∂loss/∂input to fill, time-major <c>[T, B, I]</c>.</summary>
    protected Span<float> DX => _dx!.Span;

    /// <summary>State <paramref name="s"/> for every step, <c>[T+1, B, H]</c>; slot t+1 is the state after step t.</summary>
    protected Span<float> State(int s) => _states[s].Span;

    /// <summary>Running ∂loss/∂state <paramref name="s"/>, <c>[B, H]</c>.</summary>
    protected Span<float> DState(int s) => _dState[s].Span;

    /// <summary>∂loss/∂h_t coming from the layer's output, <c>[T, B, H]</c>.</summary>
    protected Span<float> DOutput => _dOut!.Span;

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape)
        => Options.ReturnSequences ? [inputShape[0], Units] : [Units];

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw new ArgumentException(
                $"{GetType().Name} '{Name}' expects inputs [batch, time, features]; received an input shape [batch, {Tensor.FormatShape(inputShape)}]. " +
                "Give the input shape as [time, features] (time may be -1).");
        }
    }

    /// <inheritdoc />
    private protected sealed override int[] OnBuild(int[] inputShape, Rng rng)
    {
        InputSize = inputShape[1];
        CreateParameters(InputSize, rng);
        _dropoutRng = new Rng((long)rng.NextUInt64());
        foreach (var p in Parameters)
        {
            p.Regularizer = p.Name switch
            {
                "weight_ih_l0" => Options.KernelRegularizer,
                "weight_hh_l0" => Options.RecurrentRegularizer,
                "bias_ih_l0" or "bias_hh_l0" => Options.BiasRegularizer,
                _ => null,
            };
        }
        return OutputShapeFor(inputShape);
    }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteNumber("units", Units);
        var o = Options;
        json.WriteBoolean("return_sequences", o.ReturnSequences);
        json.WriteBoolean("go_backwards", o.GoBackwards);
        json.WriteBoolean("stateful", o.Stateful);
        json.WriteNumber("dropout", o.Dropout);
        json.WriteNumber("recurrent_dropout", o.RecurrentDropout);
        json.WriteNumber("weight_dropout", o.WeightDropout);
        json.WriteBoolean("use_bias", o.UseBias);
        json.WriteBoolean("zero_output_for_mask", o.ZeroOutputForMask);
        IO.LayerConfigs.WriteRegularizer(json, "kernel_regularizer", o.KernelRegularizer);
        IO.LayerConfigs.WriteRegularizer(json, "recurrent_regularizer", o.RecurrentRegularizer);
        IO.LayerConfigs.WriteRegularizer(json, "bias_regularizer", o.BiasRegularizer);
    }

    /// <summary>Gate blocks per step: 4 for an LSTM, 3 for a GRU, 1 for a simple RNN.</summary>
    private protected abstract int GateCount { get; }

    internal override long ParameterCountFor(int[] inputShape)
        => inputShape.Length == 2 ? checked(GateCount * (long)Units * (inputShape[1] + Units + (Options.UseBias ? 2 : 0))) : 0;

    /// <summary>
    /// The layer's parameters in PyTorch's order: the two weights, then <c>bias_ih_l0</c> and <c>bias_hh_l0</c>
    /// of <paramref name="gates"/>·H values each when <see cref="RnnOptions.UseBias"/> (<c>bias_ih_l0</c> filled by
    /// <see cref="RnnOptions.BiasInitializer"/>, <c>bias_hh_l0</c> zero), or none.
    /// </summary>
    private protected (Parameter? Ih, Parameter? Hh) CreateBiases(int gates, Rng rng)
    {
        if (!Options.UseBias) return (null, null);
        var n = gates * Units;
        var ih = new Parameter("bias_ih_l0", Tensor.Zeros(n));
        Options.BiasInitializer.Fill(ih.Value.Span, n, 1, rng);
        return (ih, new Parameter("bias_hh_l0", Tensor.Zeros(n)));
    }

    /// <summary>Registers the weights and, when there are any, the biases.</summary>
    private protected void SetRecurrentParameters(Parameter weightIh, Parameter weightHh, Parameter? biasIh, Parameter? biasHh, params Parameter[] extra)
    {
        _weightIh = weightIh;
        _weightHh = weightHh;
        SetParameters(biasIh is null ? [weightIh, weightHh, .. extra] : [weightIh, weightHh, biasIh, biasHh!, .. extra]);
    }

    /// <summary>
    /// <paramref name="output"/> [T·B, G·H] = X [T·B, I] · W_ihᵀ (+ <paramref name="bias"/> on every row): the inputs of every
    /// step in one product, on W_ihᵀ packed once per update of W_ih.
    /// </summary>
    private protected void ProjectInputs(Span<float> output, ReadOnlySpan<float> bias)
    {
        var w = _weightIh!.Value;
        int inputs = InputSize, width = w.Dim(0);
        Kernels.Pack(w, 0, inputs, transB: true, inputs, width, _packedInput);
        Kernels.GemmPacked(X, inputs, false, _packedInput, Steps * Batch, output, width, accumulate: false, bias);
    }

    /// <summary>
    /// Packs <paramref name="rows"/> rows of <see cref="RecurrentWeight"/> [G·H, H] from <paramref name="row0"/> on for the steps'
    /// products (unless <paramref name="packed"/> holds them already, unchanged): transposed [H, rows] for the forward
    /// h_{t−1}·Wᵀ, as stored [rows, H] for the backward dGates·W.
    /// </summary>
    private protected PackedMatrix PackRecurrent(PackedMatrix packed, int row0, int rows, bool transposed)
    {
        var w = RecurrentWeight;
        int H = Units;
        if (transposed) Kernels.Pack(w, row0 * H, H, transB: true, H, rows, packed);
        else Kernels.Pack(w, row0 * H, H, transB: false, rows, H, packed);
        return packed;
    }

    /// <summary>Fills <paramref name="sum"/> with b_ih + b_hh (zeros without biases), the bias added to every step's input projection.</summary>
    private protected void SumBiases(Parameter? biasIh, Parameter? biasHh, Span<float> sum)
    {
        if (biasIh is null)
        {
            sum.Clear();
            return;
        }
        biasIh.Value.Values.CopyTo(sum);
        Kernels.Add(biasHh!.Value.Values, sum);
    }

    /// <summary>Adds the bias gradient, the column sums of <paramref name="dPre"/> <c>[rows, n]</c>, to both biases (nothing without biases).</summary>
    private protected void AddBiasGradients(ReadOnlySpan<float> dPre, int rows, int n, Parameter? biasIh, Parameter? biasHh)
    {
        if (biasIh is null) return;
        Kernels.SumRows(dPre, rows, n, biasIh.Gradient.Span);
        Kernels.SumRows(dPre, rows, n, biasHh!.Gradient.Span);
    }

    /// <summary>A new, unbuilt layer like this one but processing in the other direction (for <see cref="Bidirectional"/>).</summary>
    internal abstract Rnn CreateReverse();

    /// <summary>Creates and initialises the parameters for <paramref name="inputSize"/> features.</summary>
    private protected abstract void CreateParameters(int inputSize, Rng rng);

    /// <summary>Sizes the subclass's own buffers for <paramref name="steps"/> × <paramref name="batch"/>.</summary>
    private protected abstract void Allocate(int steps, int batch);

    /// <summary>Runs steps 0..T-1 from X and the initial states, filling every State(s).</summary>
    private protected abstract void ForwardSteps();

    /// <summary>Runs steps T-1..0: reads DOutput and DState (∂loss/∂final state), writes DX, leaves ∂loss/∂initial state in DState, adds parameter gradients.</summary>
    private protected abstract void BackwardSteps();

    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => Options.ReturnSequences && inputHasMask;

    /// <summary>
    /// The output sequence's mask: the input's, reversed in time for <see cref="RnnOptions.GoBackwards"/> (whose
    /// sequence is in processing order); none without <see cref="RnnOptions.ReturnSequences"/>.
    /// </summary>
    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask)
    {
        if (!Options.ReturnSequences || mask is null) return null;
        if (!Options.GoBackwards) return mask;
        var reversed = Ensure(ref _outputMask, mask.Shape).Span;
        int B = mask.Dim(0), T = mask.Dim(1);
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                reversed[b * T + t] = mask.Span[b * T + T - 1 - t];
        return _outputMask;
    }

    /// <summary>
    /// Runs the layer from <paramref name="initialState"/> (h, and c for an LSTM; each <c>[batch, units]</c>;
    /// when null: zeros, or for a <see cref="RnnOptions.Stateful"/> layer the previous pass's final state if the
    /// batch size is the same). The final state is then in <see cref="FinalState"/>. With a <paramref name="mask"/>
    /// <c>[batch, time]</c>, padded steps are skipped exactly: the state passes them unchanged (so each sample's
    /// final state is that of its last real step, and a backward pass starts at the true end), and the output
    /// at a padded step is zero.
    /// </summary>
    public Tensor Forward(Tensor input, IReadOnlyList<Tensor>? initialState, bool training = false, Tensor? mask = null)
    {
        if (initialState is not null && initialState.Count != StateCount)
            throw new ArgumentException($"{GetType().Name} '{Name}' takes {StateCount} initial state tensor(s); received {initialState.Count}.", nameof(initialState));
        return ForwardFromStates(input, initialState is null ? default : AsArray(initialState), training, mask);
    }

    /// <summary>The forward pass from <paramref name="initialState"/> (empty: zeros, or the carried state).</summary>
    internal Tensor ForwardFromStates(Tensor input, ReadOnlySpan<Tensor> initialState, bool training, Tensor? mask)
    {
        BeginForward(input, mask);
        var output = RunSequence(input, initialState, training);
        EndForward(input, mask);
        return output;
    }

    static T[] AsArray<T>(IReadOnlyList<T> list) => list as T[] ?? [.. list];

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training) => RunSequence(input, default, training);

    /// <summary>
    /// Calls the layer on <paramref name="input"/> <c>[*, time, features]</c>, starting from
    /// <paramref name="initialState"/> (h, and c for an LSTM, each <c>[*, units]</c>; null: zeros) — Keras's
    /// <c>layer(x, initial_state=…)</c>. Returns the output; <see cref="CallWithState"/> also returns the final state.
    /// </summary>
    public Symbol Call(Symbol input, IReadOnlyList<Symbol>? initialState)
        => CallWithState(input, initialState).Output;

    /// <summary>
    /// Calls the layer and returns its output and its final state (h, and c for an LSTM, each <c>[*, units]</c>),
    /// Keras's <c>return_state=True</c>: the final state can start another recurrent layer (an encoder's state
    /// starting a decoder). Gradients flow back through the states as through any other edge.
    /// </summary>
    public RnnSymbols CallWithState(Symbol input, IReadOnlyList<Symbol>? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var node = Node.Create(this, [input, .. initialState ?? []]);
        return new RnnSymbols(node.Outputs[0], node.Outputs[1..]);
    }

    internal override (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
        => RecurrentOutputs(this, inputs, StateCount, Units, Options.ReturnSequences, s => OutputShapeFor(s));

    /// <summary>The outputs of a recurrent call [x, state…] → [y, final state…], after checking the state inputs.</summary>
    internal static (int[] Shape, bool HasMask)[] RecurrentOutputs(Layer layer, Symbol[] inputs, int states, int units, bool sequences, Func<int[], int[]> outputShape)
    {
        if (inputs.Length != 1 && inputs.Length != 1 + states)
        {
            throw new ArgumentException(
                $"{layer.GetType().Name} '{layer.Name}' takes an input and optionally {states} initial state tensor(s); received {inputs.Length - 1} state(s).", nameof(inputs));
        }
        var shape = inputs[0].Shape.ToArray();
        layer.CheckCall(shape, inputs[0]);
        for (var s = 1; s < inputs.Length; s++)
        {
            if (inputs[s].Shape.Count != 1 || inputs[s].Shape[0] != units)
            {
                throw new ArgumentException(
                    $"{layer.GetType().Name} '{layer.Name}' takes initial states [*, {units}]; state {s - 1}, '{inputs[s].Name}', is {inputs[s].Describe()}.", nameof(inputs));
            }
        }
        var outputs = new (int[] Shape, bool HasMask)[1 + states];
        outputs[0] = (outputShape(shape), sequences && inputs[0].HasMask);
        for (var s = 1; s <= states; s++) outputs[s] = ([units], false);
        return outputs;
    }

    internal override void Run(Node node, bool training)
    {
        node.OutputValues[0] = ForwardFromStates(node.InputValues[0], node.InputValues.AsSpan(1), training, node.InputMasks[0]);
        node.OutputMasks[0] = OutputMask;
        for (var s = 0; s < StateCount; s++) node.OutputValues[1 + s] = _finalState[s];
    }

    internal override void RunBackward(Node node)
    {
        node.DInputs[0] = BackwardWithStates(node.DOutputs[0], node.DOutputs.AsSpan(1));
        for (var s = 1; s < node.Inputs.Length; s++) node.DInputs[s] = _dState[s - 1];
    }

    /// <summary>The forward pass proper, from an explicit initial state (empty span: none).</summary>
    Tensor RunSequence(Tensor input, ReadOnlySpan<Tensor> initialState, bool training)
    {
        CheckShape(input, [-1, -1, InputSize], "input [batch, time, features]", "Check the previous layer's units or the data's feature count.");
        int B = input.Dim(0), T = input.Dim(1), I = InputSize, H = Units;
        if (T == 0) throw new ArgumentException($"{GetType().Name} '{Name}' needs at least one time step; received [{Tensor.FormatShape(input.Shape)}].", nameof(input));

        // A stateful layer continues from the last pass's final state, kept in _finalState, which the Ensure below
        // leaves untouched when the batch size is the same (and zeroes when it is not).
        var carry = Options.Stateful && initialState.IsEmpty && _finalState[0] is { } last && last.Dim(0) == B;
        Steps = T;
        Batch = B;
        Ensure(ref _x, T, B, I);
        Ensure(ref _dx, T, B, I);
        Ensure(ref _dOut, T, B, H);
        Ensure(ref _dInput, B, T, I);
        if (Options.ReturnSequences) Ensure(ref _output, B, T, H);
        else Ensure(ref _output, B, H);
        for (var s = 0; s < StateCount; s++)
        {
            _states[s] = Ensure(_states[s], T + 1, B, H);
            _finalState[s] = Ensure(_finalState[s], B, H);
            _dState[s] = Ensure(_dState[s], B, H);
        }
        Allocate(T, B);

        // x [B, T, I] → X [T, B, I], reversed in time for GoBackwards; the mask likewise to [T, B].
        var src = input.Span;
        var x = X;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                src.Slice((b * T + t) * I, I).CopyTo(x.Slice((Time(t) * B + b) * I, I));
        if (InputMask is { } inputMask)
        {
            var m = Ensure(ref _mask, T, B).Span;
            Ensure(ref _held, StateCount, B, H);
            for (var b = 0; b < B; b++)
                for (var t = 0; t < T; t++)
                    m[Time(t) * B + b] = inputMask.Span[b * T + t];
            if (!Options.ZeroOutputForMask)
            {
                if (_firstReal.Length < B) _firstReal = new int[B];
                for (var b = 0; b < B; b++)
                {
                    var t = 0;
                    while (t < T && m[t * B + b] == 0f) t++;
                    _firstReal[b] = t;
                }
            }
        }
        HasMask = InputMask is not null;

        InputDropoutActive = training && Options.Dropout > 0f;
        RecurrentDropoutActive = training && Options.RecurrentDropout > 0f;
        if (InputDropoutActive)
        {
            var mi = Ensure(ref _inputMask, B, I).Span;
            SampleDropout(mi, Options.Dropout);
            for (var t = 0; t < T; t++)
                for (var b = 0; b < B; b++)
                {
                    var row = x.Slice((t * B + b) * I, I);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, mi.Slice(b * I, I), row);
                }
        }
        if (RecurrentDropoutActive)
        {
            SampleDropout(Ensure(ref _recurrentMask, B, H).Span, Options.RecurrentDropout);
            Ensure(ref _hDropped, T, B, H);
        }
        WeightDropoutActive = training && Options.WeightDropout > 0f;
        if (WeightDropoutActive) DropRecurrentWeight();

        for (var s = 0; s < StateCount; s++)
        {
            var slot0 = State(s)[..(B * H)];
            if (carry)
            {
                _finalState[s].Span.CopyTo(slot0);
            }
            else if (initialState.IsEmpty)
            {
                slot0.Clear();
            }
            else
            {
                // (the message is built only when the check fails, so a step allocates nothing)
                if (!initialState[s].HasShape(B, H)) CheckShape(initialState[s], [B, H], $"initial state {s} [batch, units]", "Pass one [batch, units] tensor per state (h, then c for an LSTM).");
                initialState[s].Span.CopyTo(slot0);
            }
        }

        ForwardSteps();

        var h = State(0);
        var output = _output!.Span;
        if (Options.ReturnSequences)
        {
            for (var b = 0; b < B; b++)
            {
                for (var t = 0; t < T; t++)
                {
                    var row = output.Slice((b * T + t) * H, H);
                    if (OutputsState(t, b)) h.Slice(((t + 1) * B + b) * H, H).CopyTo(row);
                    else row.Clear();
                }
            }
        }
        else
        {
            h.Slice(T * B * H, B * H).CopyTo(output);
        }
        for (var s = 0; s < StateCount; s++) State(s).Slice(T * B * H, B * H).CopyTo(_finalState[s].Span);
        return _output!;
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput) => BackwardWithStates(dOutput, default);

    /// <summary>
    /// Back-propagates ∂loss/∂output and, optionally, ∂loss/∂final state (null entries count as zero); returns
    /// ∂loss/∂input and leaves ∂loss/∂initial state in <see cref="InitialStateGradient"/>.
    /// </summary>
    public Tensor Backward(Tensor dOutput, IReadOnlyList<Tensor?>? dFinalState)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        if (dFinalState is not null && dFinalState.Count != StateCount)
            throw new ArgumentException($"{GetType().Name} '{Name}' has {StateCount} state tensor(s); received {dFinalState.Count} state gradients.", nameof(dFinalState));
        return BackwardWithStates(dOutput, dFinalState is null ? default : AsArray(dFinalState));
    }

    /// <summary>The backward pass proper; a null <paramref name="dOutput"/> or state gradient counts as zero.</summary>
    internal Tensor BackwardWithStates(Tensor? dOutput, ReadOnlySpan<Tensor?> dFinalState)
    {
        if (_output is null) throw NoForward();
        int B = Batch, T = Steps, I = InputSize, H = Units;
        if (dOutput is not null) CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");

        var dOut = DOutput;
        var src = dOutput is null ? default : dOutput.Span;
        if (dOutput is null)
        {
            dOut.Clear();
        }
        else if (Options.ReturnSequences)
        {
            for (var b = 0; b < B; b++)
            {
                for (var t = 0; t < T; t++)
                {
                    // A padded step that repeats the carried state passes its gradient to that state: the masked
                    // backward steps hold it and hand it on to the sample's last real step.
                    var row = dOut.Slice((t * B + b) * H, H);
                    if (OutputsState(t, b)) src.Slice((b * T + t) * H, H).CopyTo(row);
                    else row.Clear();
                }
            }
        }
        else
        {
            dOut[..((T - 1) * B * H)].Clear();
            src.CopyTo(dOut.Slice((T - 1) * B * H, B * H));
        }
        for (var s = 0; s < StateCount; s++)
        {
            var d = DState(s);
            if (s < dFinalState.Length && dFinalState[s] is { } given)
            {
                if (!given.HasShape(B, H)) CheckShape(given, [B, H], $"final state gradient {s} [batch, units]", "Pass one [batch, units] tensor per state, or null.");
                given.Span.CopyTo(d);
            }
            else
            {
                d.Clear();
            }
        }

        if (WeightDropoutActive) _dDroppedWeightHh!.Span.Clear();
        BackwardSteps();
        if (WeightDropoutActive)
        {
            // ∂loss/∂W_hh += ∂loss/∂(W_hh ⊙ m) ⊙ m, the mask holding the 1/(1−p) scale
            var dW = _weightHh!.Gradient.Span;
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_dDroppedWeightHh!.Span, _weightMask!.Span, dW, dW);
        }

        var dx = DX;
        if (InputDropoutActive)
        {
            var mi = _inputMask!.Span;
            for (var t = 0; t < T; t++)
                for (var b = 0; b < B; b++)
                {
                    var row = dx.Slice((t * B + b) * I, I);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, mi.Slice(b * I, I), row);
                }
        }
        var dInput = _dInput!.Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                dx.Slice((Time(t) * B + b) * I, I).CopyTo(dInput.Slice((b * T + t) * I, I));
        return _dInput!;
    }

    internal override IEnumerable<Rng> RandomGenerators() => _dropoutRng is null ? [] : [_dropoutRng];

    /// <summary>True when the last forward pass dropped input features.</summary>
    private protected bool InputDropoutActive { get; private set; }

    /// <summary>True when the last forward pass dropped recurrent state.</summary>
    private protected bool RecurrentDropoutActive { get; private set; }

    /// <summary>True when the last forward pass dropped elements of the recurrent kernel.</summary>
    private protected bool WeightDropoutActive { get; private set; }

    /// <summary>
    /// The weight dropout scales (0 or 1/(1−p)) over <c>weight_hh_l0</c> of the last forward pass, null when it dropped
    /// nothing. Setting it (tests replaying a recorded mask) makes every following training pass use those scales
    /// instead of drawing; setting null draws again.
    /// </summary>
    internal Tensor? WeightDropoutMask
    {
        get => WeightDropoutActive ? _weightMask : null;
        set
        {
            _weightMaskFixed = value is not null;
            if (value is null) return;
            var w = _weightHh?.Value ?? throw new InvalidOperationException($"{GetType().Name} '{Name}' is not built yet; build it before fixing its weight dropout mask.");
            if (!value.HasShape(w.Shape)) throw new ArgumentException($"{GetType().Name} '{Name}': a weight dropout mask must be [{Tensor.FormatShape(w.Shape)}]; received [{Tensor.FormatShape(value.Shape)}].", nameof(value));
            value.Span.CopyTo(Ensure(ref _weightMask, w.Shape).Span);
        }
    }

    /// <summary>Draws the pass's weight mask (unless a test fixed it) and fills W_hh ⊙ mask.</summary>
    void DropRecurrentWeight()
    {
        var w = _weightHh!.Value;
        var mask = Ensure(ref _weightMask, w.Shape).Span;
        if (!_weightMaskFixed) SampleDropout(mask, Options.WeightDropout);
        System.Numerics.Tensors.TensorPrimitives.Multiply(w.Values, mask, Ensure(ref _droppedWeightHh, w.Shape).Span);
        Ensure(ref _dDroppedWeightHh, w.Shape);
    }

    /// <summary>
    /// The recurrent kernel the steps multiply by, <c>[G·H, H]</c>: <c>weight_hh_l0</c>, or in a training pass with
    /// <see cref="RnnOptions.WeightDropout"/> the pass's W_hh ⊙ mask.
    /// </summary>
    private protected Tensor RecurrentWeight => WeightDropoutActive ? _droppedWeightHh! : _weightHh!.Value;

    /// <summary>
    /// Where the backward steps add ∂loss/∂(the kernel they multiplied by), <c>[G·H, H]</c>: W_hh's gradient, or with
    /// weight dropout a buffer the layer folds into it through the mask once the steps are done.
    /// </summary>
    private protected Span<float> RecurrentWeightGradient => WeightDropoutActive ? _dDroppedWeightHh!.Span : _weightHh!.Gradient.Span;

    /// <summary>The input dropout scales of the last forward pass, <c>[batch, features]</c> (tests compare against them).</summary>
    internal Tensor? InputDropoutMask => InputDropoutActive ? _inputMask : null;

    /// <summary>The recurrent dropout scales of the last forward pass, <c>[batch, units]</c>.</summary>
    internal Tensor? RecurrentDropoutMask => RecurrentDropoutActive ? _recurrentMask : null;

    void SampleDropout(Span<float> scales, float rate)
    {
        var keep = 1f / (1f - rate);
        for (var i = 0; i < scales.Length; i++) scales[i] = _dropoutRng!.NextDouble() < rate ? 0f : keep;
    }

    /// <summary>
    /// The recurrent product's input at step <paramref name="t"/>: h_{t−1}, times the recurrent dropout mask in
    /// training, <c>[B, H]</c>.
    /// </summary>
    private protected Span<float> RecurrentInput(int t)
    {
        int B = Batch, H = Units;
        var h = State(0).Slice(t * B * H, B * H);
        if (!RecurrentDropoutActive) return h;
        var dropped = _hDropped!.Span.Slice(t * B * H, B * H);
        System.Numerics.Tensors.TensorPrimitives.Multiply(h, _recurrentMask!.Span, dropped);
        return dropped;
    }

    /// <summary>Every step's recurrent-product input, <c>[T·B, H]</c>, for the recurrent weight gradient.</summary>
    private protected Span<float> RecurrentInputs => RecurrentDropoutActive
        ? _hDropped!.Span
        : State(0)[..(Steps * Batch * Units)];

    /// <summary>Turns ∂loss/∂(dropped h_{t−1}) into ∂loss/∂h_{t−1}, in place.</summary>
    private protected void ScaleRecurrentGradient(Span<float> dh)
    {
        if (RecurrentDropoutActive) System.Numerics.Tensors.TensorPrimitives.Multiply(dh, _recurrentMask!.Span, dh);
    }

    /// <summary>True when the last forward pass had a mask.</summary>
    private protected bool HasMask { get; private set; }

    /// <summary>True when row <paramref name="b"/> of processing step <paramref name="t"/> is padding.</summary>
    private protected bool Masked(int t, int b) => HasMask && _mask!.Span[t * Batch + b] == 0f;

    /// <summary>
    /// True when the output of processing step <paramref name="t"/> for row <paramref name="b"/> is the state
    /// after it: a real step, or with <see cref="RnnOptions.ZeroOutputForMask"/> false a padded step after the
    /// row's first real step (it repeats that row's last real output). Otherwise the output is zero.
    /// </summary>
    bool OutputsState(int t, int b) => !Masked(t, b) || (!Options.ZeroOutputForMask && t > _firstReal[b]);

    /// <summary>After step <paramref name="t"/>: padded rows keep the state they had before it.</summary>
    private protected void CarryMaskedStates(int t)
    {
        if (!HasMask) return;
        int B = Batch, H = Units;
        for (var b = 0; b < B; b++)
        {
            if (!Masked(t, b)) continue;
            for (var s = 0; s < StateCount; s++)
                State(s).Slice((t * B + b) * H, H).CopyTo(State(s).Slice(((t + 1) * B + b) * H, H));
        }
    }

    /// <summary>
    /// Before the backward of step <paramref name="t"/>: sets aside ∂loss/∂state of padded rows and zeroes it, so
    /// the step contributes nothing for them (no gate or weight gradients).
    /// </summary>
    private protected void HoldMaskedGradients(int t)
    {
        if (!HasMask) return;
        int B = Batch, H = Units;
        var held = _held!.Span;
        for (var b = 0; b < B; b++)
        {
            if (!Masked(t, b)) continue;
            for (var s = 0; s < StateCount; s++)
            {
                var row = DState(s).Slice(b * H, H);
                row.CopyTo(held.Slice((s * B + b) * H, H));
                row.Clear();
            }
        }
    }

    /// <summary>After the backward of step <paramref name="t"/>: padded rows pass their held gradient to step t−1 unchanged.</summary>
    private protected void ReleaseMaskedGradients(int t)
    {
        if (!HasMask) return;
        int B = Batch, H = Units;
        var held = _held!.Span;
        for (var b = 0; b < B; b++)
        {
            if (!Masked(t, b)) continue;
            for (var s = 0; s < StateCount; s++)
                Kernels.Add(held.Slice((s * B + b) * H, H), DState(s).Slice(b * H, H));
        }
    }

    /// <summary>The processing step of input step <paramref name="t"/> (and vice versa).</summary>
    private protected int Time(int t) => Options.GoBackwards ? Steps - 1 - t : t;
}

/// <summary>What a recurrent call gives: the output and the final state (h, and c for an LSTM; a <see cref="Bidirectional"/> gives the forward direction's, then the backward's).</summary>
/// <param name="Output">The output: every step's hidden state, or the last one.</param>
/// <param name="States">The final state tensors, each <c>[*, units]</c>.</param>
public sealed record RnnSymbols(Symbol Output, IReadOnlyList<Symbol> States);
