// Bidirectional: runs a recurrent layer forwards and a copy of it backwards over the same input and merges
// the two, so every step sees its past and its future.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Wraps a recurrent layer: the layer reads the sequence forwards, a copy reads it backwards, and the outputs
/// are merged (<see cref="MergeMode"/>), aligned step by step with the input. Parameters follow PyTorch's
/// bidirectional names: the backward copy's end in <c>_reverse</c> (<c>weight_ih_l0_reverse</c>, …). With a
/// mask each direction skips padded steps, so the backward direction starts at each sample's true end.
/// </summary>
public sealed class Bidirectional : Layer
{
    readonly Rnn _forward;
    readonly Rnn _backward;
    Tensor? _output;          // [B, T, merged] or [B, merged]
    Tensor? _outForward;      // copies of the two outputs (Multiply needs both in backward)
    Tensor? _outBackward;     // aligned with the input
    Tensor? _dForward, _dBackward, _dBackwardFlipped;
    Tensor? _dInput;

    /// <summary>Wraps <paramref name="layer"/> (unbuilt), merging the directions with <paramref name="merge"/>.</summary>
    public Bidirectional(Rnn layer, MergeMode merge = MergeMode.Concat, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsBuilt) throw new ArgumentException($"Layer '{layer.Name}' is already built; wrap a new layer.", nameof(layer));
        _forward = layer;
        _backward = layer.CreateReverse();
        Merge = merge;
    }

    /// <summary>
    /// Zeros the carried state of both directions when the layer is <see cref="RnnOptions.Stateful"/>. As in Keras,
    /// each direction carries its own final state into the next batch: the forward one the state after the
    /// batch's last step, the backward one the state after its first.
    /// </summary>
    public override void ResetStates()
    {
        _forward.ResetStates();
        _backward.ResetStates();
    }

    internal override IEnumerable<Rng> RandomGenerators() => [.. _forward.RandomGenerators(), .. _backward.RandomGenerators()];

    /// <summary>The layer reading forwards (as given).</summary>
    public Rnn ForwardLayer => _forward;

    /// <summary>The copy reading backwards.</summary>
    public Rnn BackwardLayer => _backward;

    /// <summary>How the directions are combined.</summary>
    public MergeMode Merge { get; }

    /// <summary>The final states: the forward layer's (h, c…) then the backward layer's.</summary>
    public IReadOnlyList<Tensor> FinalState => [.. _forward.FinalState, .. _backward.FinalState];

    /// <summary>∂loss/∂initial states after a backward pass, in the order of <see cref="FinalState"/>.</summary>
    public IReadOnlyList<Tensor> InitialStateGradient => [.. _forward.InitialStateGradient, .. _backward.InitialStateGradient];

    int Units => _forward.Units;

    int MergedUnits => Merge == MergeMode.Concat ? 2 * Units : Units;

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteString("merge", Merge.ToString());
        json.WritePropertyName("layer");
        IO.LayerConfigs.Write(json, _forward);
    }

    internal override long ParameterCountFor(int[] inputShape) => checked(2 * _forward.ParameterCountFor(inputShape));

    internal override long KerasBiasSurplus => 2 * _forward.KerasBiasSurplus;

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape)
        => _forward.Options.ReturnSequences ? [inputShape[0], MergedUnits] : [MergedUnits];

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng)
    {
        var seed = (int)(rng.NextUInt64() >> 33);
        _forward.Build(inputShape, seed);
        _backward.Build(inputShape, seed + 1);
        foreach (var p in _backward.Parameters) p.Name += "_reverse";
        SetParameters([.. _forward.Parameters, .. _backward.Parameters]);
        return OutputShapeFor(inputShape);
    }

    /// <summary>
    /// Runs both directions, the forward one from the first half of <paramref name="initialState"/> and the
    /// backward one from the second half (zeros when null).
    /// </summary>
    public Tensor Forward(Tensor input, IReadOnlyList<Tensor>? initialState, bool training = false, Tensor? mask = null)
    {
        if (initialState is not null && initialState.Count != 2 * _forward.StateCount)
            throw new ArgumentException($"Bidirectional '{Name}' takes {2 * _forward.StateCount} initial state tensor(s); received {initialState.Count}.", nameof(initialState));
        return ForwardFromStates(input, initialState is null ? default : initialState as Tensor[] ?? [.. initialState], training, mask);
    }

    Tensor ForwardFromStates(Tensor input, ReadOnlySpan<Tensor> initialState, bool training, Tensor? mask)
    {
        BeginForward(input, mask);
        var output = RunBoth(input, initialState, training);
        EndForward(input, mask);
        return output;
    }

    /// <summary>Calls the layer from <paramref name="initialState"/> (forward h, c…, then backward h, c…) and returns its merged output.</summary>
    public Symbol Call(Symbol input, IReadOnlyList<Symbol>? initialState) => CallWithState(input, initialState).Output;

    /// <summary>
    /// Calls the layer and returns its merged output and the final states of both directions (forward h, c…,
    /// then backward h, c…), from <paramref name="initialState"/> in the same order (null: zeros).
    /// </summary>
    public RnnSymbols CallWithState(Symbol input, IReadOnlyList<Symbol>? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var node = Node.Create(this, [input, .. initialState ?? []]);
        return new RnnSymbols(node.Outputs[0], node.Outputs[1..]);
    }

    internal override (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
        => Rnn.RecurrentOutputs(this, inputs, 2 * _forward.StateCount, Units, _forward.Options.ReturnSequences, s => OutputShapeFor(s));

    private protected override void ValidateInput(int[] inputShape) => _forward.CheckInputShape(inputShape);

    internal override void Run(Node node, bool training)
    {
        node.OutputValues[0] = ForwardFromStates(node.InputValues[0], node.InputValues.AsSpan(1), training, node.InputMasks[0]);
        node.OutputMasks[0] = OutputMask;
        var n = _forward.StateCount;
        for (var s = 0; s < n; s++)
        {
            node.OutputValues[1 + s] = _forward.FinalState[s];
            node.OutputValues[1 + n + s] = _backward.FinalState[s];
        }
    }

    internal override void RunBackward(Node node)
    {
        node.DInputs[0] = BackwardWithStates(node.DOutputs[0], node.DOutputs.AsSpan(1));
        if (node.Inputs.Length == 1) return;
        var n = _forward.StateCount;
        for (var s = 0; s < n; s++)
        {
            node.DInputs[1 + s] = _forward.InitialStateGradient[s];
            node.DInputs[1 + n + s] = _backward.InitialStateGradient[s];
        }
    }

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training) => RunBoth(input, default, training);

    Tensor RunBoth(Tensor input, ReadOnlySpan<Tensor> initialState, bool training)
    {
        _forward.Kernels = _backward.Kernels = Kernels;
        var n = _forward.StateCount;
        var stateF = initialState.IsEmpty ? default : initialState[..n];
        var stateB = initialState.IsEmpty ? default : initialState[n..];
        var f = _forward.ForwardFromStates(input, stateF, training, InputMask);
        var b = _backward.ForwardFromStates(input, stateB, training, InputMask);
        var sequences = _forward.Options.ReturnSequences;
        var outF = Ensure(ref _outForward, f.Shape);
        var outB = Ensure(ref _outBackward, b.Shape);
        f.Span.CopyTo(outF.Span);
        if (sequences) ReverseTime(b, outB);
        else b.Span.CopyTo(outB.Span);

        var rows = outF.Length / Units;
        var y = sequences ? Ensure(ref _output, input.Dim(0), input.Dim(1), MergedUnits) : Ensure(ref _output, input.Dim(0), MergedUnits);
        Span<float> ys = y.Span;
        ReadOnlySpan<float> fs = outF.Span, bs = outB.Span;
        var H = Units;
        for (var r = 0; r < rows; r++)
        {
            var fr = fs.Slice(r * H, H);
            var br = bs.Slice(r * H, H);
            if (Merge == MergeMode.Concat)
            {
                fr.CopyTo(ys.Slice(r * 2 * H, H));
                br.CopyTo(ys.Slice(r * 2 * H + H, H));
                continue;
            }
            var yr = ys.Slice(r * H, H);
            for (var j = 0; j < H; j++)
            {
                yr[j] = Merge switch
                {
                    MergeMode.Sum => fr[j] + br[j],
                    MergeMode.Multiply => fr[j] * br[j],
                    _ => 0.5f * (fr[j] + br[j]),
                };
            }
        }
        return y;
    }

    /// <inheritdoc />
    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => _forward.Options.ReturnSequences ? mask : null;

    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => _forward.Options.ReturnSequences && inputHasMask;

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput) => BackwardWithStates(dOutput, default);

    /// <summary>
    /// Back-propagates ∂loss/∂output and, optionally, ∂loss/∂final states (in the order of <see cref="FinalState"/>);
    /// returns ∂loss/∂input.
    /// </summary>
    public Tensor Backward(Tensor dOutput, IReadOnlyList<Tensor?>? dFinalState)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        if (dFinalState is not null && dFinalState.Count != 2 * _forward.StateCount)
            throw new ArgumentException($"Bidirectional '{Name}' has {2 * _forward.StateCount} state tensors; received {dFinalState.Count} state gradients.", nameof(dFinalState));
        return BackwardWithStates(dOutput, dFinalState is null ? default : dFinalState as Tensor?[] ?? [.. dFinalState]);
    }

    Tensor BackwardWithStates(Tensor? dOutput, ReadOnlySpan<Tensor?> dFinalState)
    {
        if (_output is null || _outForward is null || _outBackward is null) throw NoForward();
        if (dOutput is not null) CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        var n = _forward.StateCount;
        var H = Units;
        var dF = Ensure(ref _dForward, _outForward.Shape);
        var dB = Ensure(ref _dBackward, _outBackward.Shape);
        Span<float> dfs = dF.Span, dbs = dB.Span;
        ReadOnlySpan<float> dy = dOutput is null ? default : dOutput.Span, fs = _outForward.Span, bs = _outBackward.Span;
        var rows = dOutput is null ? 0 : dF.Length / H;
        if (dOutput is null)
        {
            dfs.Clear();
            dbs.Clear();
        }
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < H; j++)
            {
                int i = r * H + j;
                switch (Merge)
                {
                    case MergeMode.Concat:
                        dfs[i] = dy[r * 2 * H + j];
                        dbs[i] = dy[r * 2 * H + H + j];
                        break;
                    case MergeMode.Sum:
                        dfs[i] = dbs[i] = dy[i];
                        break;
                    case MergeMode.Multiply:
                        dfs[i] = dy[i] * bs[i];
                        dbs[i] = dy[i] * fs[i];
                        break;
                    default:
                        dfs[i] = dbs[i] = 0.5f * dy[i];
                        break;
                }
            }
        }
        if (_forward.Options.ReturnSequences)
        {
            // The backward layer's own output is in processing order: flip its gradient back.
            var flipped = Ensure(ref _dBackwardFlipped, dB.Shape);
            ReverseTime(dB, flipped);
            dB = flipped;
        }
        var dxF = _forward.BackwardWithStates(dF, dFinalState.IsEmpty ? default : dFinalState[..n]);
        var dxB = _backward.BackwardWithStates(dB, dFinalState.IsEmpty ? default : dFinalState[n..]);
        var dx = Ensure(ref _dInput, dxF.Shape);
        dxF.Span.CopyTo(dx.Span);
        Kernels.Add(dxB.Span, dx.Span);
        return dx;
    }

    static void ReverseTime(Tensor source, Tensor destination)
    {
        int B = source.Dim(0), T = source.Dim(1), F = source.Dim(2);
        ReadOnlySpan<float> s = source.Span;
        var d = destination.Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                s.Slice((b * T + t) * F, F).CopyTo(d.Slice((b * T + T - 1 - t) * F, F));
    }
}
