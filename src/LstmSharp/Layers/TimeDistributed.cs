// TimeDistributed: applies a layer to every time step of a sequence, with one set of weights.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Applies <see cref="Inner"/> to each step of <c>[batch, time, …]</c> independently, by folding time into
/// the batch (<c>[batch·time, …]</c>), as Keras's <c>TimeDistributed</c>. The mask passes through. The inner layer
/// may be a <see cref="Model"/> (built when it was made), e.g. a character encoder run on every word of
/// <c>[batch, words, chars]</c>: its own masks (an <see cref="Embedding"/>'s padding) work inside each word.
/// </summary>
public sealed class TimeDistributed : Layer
{
    Tensor? _lastInput, _foldedInput;     // cached views, so repeated calls allocate nothing
    Tensor? _lastOutput, _unfoldedOutput;
    Tensor? _lastDOutput, _foldedDOutput;
    Tensor? _lastDInput, _unfoldedDInput;
    int _batch, _steps;

    /// <summary>Wraps <paramref name="layer"/>: a new layer, or a <see cref="Model"/>.</summary>
    public TimeDistributed(Layer layer, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsBuilt && layer is not Model) throw new ArgumentException($"Layer '{layer.Name}' is already built; wrap a new layer.", nameof(layer));
        Inner = layer;
    }

    internal override IEnumerable<Rng> RandomGenerators() => Inner.RandomGenerators();

    /// <summary>The layer applied at every step.</summary>
    public Layer Inner { get; }

    /// <inheritdoc />
    public override void ResetStates() => Inner.ResetStates();

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WritePropertyName("layer");
        IO.LayerConfigs.Write(json, Inner);
    }

    internal override long ParameterCountFor(int[] inputShape) => inputShape.Length < 2 || Inner.IsBuilt ? 0 : Inner.ParameterCountFor(inputShape[1..]);

    internal override long KerasBiasSurplus => Inner.KerasBiasSurplus;

    /// <summary>An inner model's parameters keep its own keys behind this layer's name (<c>char_features.char_embedding.weight</c>).</summary>
    internal override IEnumerable<(string Key, Parameter Parameter)> NamedParameters() =>
        Inner is Model model ? model.ParameterKeys().Select(k => ($"{Name}.{k.Key}", k.Parameter)) : base.NamedParameters();

    internal override IEnumerable<Layer> AllLayers() => [this, .. Inner.AllLayers()];

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => [inputShape[0], .. Inner.OutputShapeFor(inputShape[1..])];

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ArgumentException($"TimeDistributed '{Name}' expects inputs [batch, time, …]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
        if (Inner is Model model) model.CheckInputShape(Name, inputShape[1..]);
        else Inner.CheckInputShape(inputShape[1..]);
    }

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng)
    {
        if (!Inner.IsBuilt) Inner.Build(inputShape.AsSpan(1), (int)(rng.NextUInt64() >> 33));
        SetParameters([.. Inner.Parameters]);
        return OutputShapeFor(inputShape);
    }

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        if (input.Rank < 3) throw new ArgumentException($"TimeDistributed '{Name}' expects inputs [batch, time, …]; received [{Tensor.FormatShape(input.Shape)}].", nameof(input));
        Inner.Kernels = Kernels;
        _batch = input.Dim(0);
        _steps = input.Dim(1);
        var folded = View(input, ref _lastInput, ref _foldedInput, fold: true);
        var y = Inner.Forward(folded, training);
        return View(y, ref _lastOutput, ref _unfoldedOutput, fold: false);
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_unfoldedOutput is null) throw NoForward();
        CheckShape(dOutput, _unfoldedOutput.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        var dx = Inner.Backward(View(dOutput, ref _lastDOutput, ref _foldedDOutput, fold: true));
        return View(dx, ref _lastDInput, ref _unfoldedDInput, fold: false);
    }

    /// <summary>A [batch·time, …] (fold) or [batch, time, …] (unfold) view of <paramref name="t"/>, cached per tensor.</summary>
    Tensor View(Tensor t, ref Tensor? last, ref Tensor? view, bool fold)
    {
        // A tensor object never changes shape, so the same object with the same batch and steps has the same view.
        if (ReferenceEquals(t, last) && view is not null && view.Dim(0) == (fold ? _batch * _steps : _batch)) return view;
        last = t;
        view = fold ? t.Reshape([_batch * _steps, .. t.Shape[2..]]) : t.Reshape([_batch, _steps, .. t.Shape[1..]]);
        return view;
    }
}
