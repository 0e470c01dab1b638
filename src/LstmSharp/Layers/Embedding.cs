// Embedding: token ids [batch, time] → vectors [batch, time, dim]; id 0 is padding (a zero row that never learns),
// unless MaskZero is off; optionally whole words dropped in training (embedding dropout).
using LstmSharp.Initializers;
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Looks up a learned vector per token id: <c>[batch, time]</c> ids (whole numbers stored as floats) →
/// <c>[batch, time, dim]</c>. Parameter <c>weight [vocab, dim]</c> as in PyTorch. Id 0 is padding, as
/// PyTorch's <c>padding_idx=0</c>: its row starts at zero and receives no gradient, so it stays zero; and, as
/// Keras's <c>mask_zero=True</c>, the layer emits a mask so the recurrent layers after it skip those steps.
/// Other rows start from <see cref="Initializer"/> (Keras: uniform in ±0.05). With <see cref="MaskZero"/> false
/// (Keras's <c>mask_zero=False</c>, PyTorch without <c>padding_idx</c>) id 0 is an ordinary token: its row is
/// initialised and learns like the others, and no mask is emitted.
/// With <see cref="Dropout"/> p (Merity et al. 2018's embedding dropout, <c>embedded_dropout</c> in AWD-LSTM) each
/// training pass drops whole words: one mask over the vocabulary rows per batch, so a dropped word is zero at every
/// position it occurs in the batch and the kept rows are scaled by 1/(1 − p); the gradient of the weight follows the
/// same mask.
/// </summary>
public sealed class Embedding : Layer
{
    Parameter? _weight;
    Tensor? _ids;      // the last forward's ids
    Tensor? _output;   // [B, T, dim]
    Tensor? _dInput;   // [B, T] zeros: ids have no gradient
    Tensor? _mask;     // [B, T] 1 where the id is not padding
    Rng? _dropoutRng;
    Tensor? _rowScales;    // [vocab] embedding dropout scales (0 or 1/(1−p)), one draw per training pass
    bool _rowScalesFixed;  // a test has set the scales: training passes reuse them instead of drawing
    bool _dropping;        // the last forward pass dropped words

    /// <summary>
    /// An embedding of <paramref name="vocabularySize"/> ids into <paramref name="dimension"/> values; id 0 is
    /// padding unless <paramref name="maskZero"/> is false; <paramref name="dropout"/> in [0, 1) is the fraction of the
    /// vocabulary dropped in each training pass (<see cref="Dropout"/>).
    /// </summary>
    public Embedding(int vocabularySize, int dimension, string? name = null, Initializer? initializer = null, bool maskZero = true, float dropout = 0f)
        : base(name)
    {
        MaskZero = maskZero;
        Guard.Positive(vocabularySize);
        Guard.Positive(dimension);
        Guard.Probability(dropout);
        Dropout = dropout;
        VocabularySize = vocabularySize;
        Dimension = dimension;
        Initializer = initializer ?? new RandomUniform();
    }

    /// <summary>
    /// True (the default) when id 0 is padding: a zero row that never learns, and a mask for the layers after.
    /// </summary>
    public bool MaskZero { get; }

    /// <summary>How rows 1… start (row 0, padding, is zero; every row without <see cref="MaskZero"/>). Default U(−0.05, 0.05), as Keras.</summary>
    public Initializer Initializer { get; }

    /// <summary>
    /// Fraction of the vocabulary dropped in each training pass (embedding dropout): a dropped id's vector is zero at
    /// every position of the batch, the others are scaled by 1/(1 − p). Inference drops nothing. AWD-LSTM uses 0.1.
    /// Default 0.
    /// </summary>
    public float Dropout { get; }

    internal override IEnumerable<Rng> RandomGenerators() => Dropout > 0f && _dropoutRng is not null ? [_dropoutRng] : [];

    /// <summary>
    /// The embedding dropout scales per id, <c>[vocab]</c>, of the last forward pass (null when it dropped nothing).
    /// Setting it (tests replaying a recorded mask) makes every following training pass use those scales instead
    /// of drawing; setting null draws again.
    /// </summary>
    internal Tensor? DropoutMask
    {
        get => _dropping ? _rowScales : null;
        set
        {
            _rowScalesFixed = value is not null;
            if (value is null) return;
            if (!value.HasShape(VocabularySize)) throw new ArgumentException($"Embedding '{Name}': a dropout mask must be [{VocabularySize}]; received [{Tensor.FormatShape(value.Shape)}].", nameof(value));
            value.Span.CopyTo(Ensure(ref _rowScales, VocabularySize).Span);
        }
    }

    /// <summary>Number of ids, padding included.</summary>
    public int VocabularySize { get; }

    /// <summary>Length of each vector.</summary>
    public int Dimension { get; }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => [.. inputShape, Dimension];

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteNumber("vocabulary", VocabularySize);
        json.WriteNumber("dimension", Dimension);
        json.WriteBoolean("mask_zero", MaskZero);
        json.WriteNumber("dropout", Dropout);
    }

    internal override long ParameterCountFor(int[] inputShape) => (long)VocabularySize * Dimension;

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 1)
            throw new ArgumentException($"Embedding '{Name}' expects token ids [batch, time]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
    }

    /// <inheritdoc />
    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => MaskZero;

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng)
    {
        _weight = new Parameter("weight", Tensor.Zeros(VocabularySize, Dimension));
        if (MaskZero) Initializer.Fill(_weight.Value.Span[Dimension..], VocabularySize - 1, Dimension, rng);
        else Initializer.Fill(_weight.Value.Span, VocabularySize, Dimension, rng);
        _dropoutRng = new Rng((long)rng.NextUInt64());
        SetParameters(_weight);
        return OutputShapeFor(inputShape);
    }

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        if (input.Rank != 2)
            throw new ArgumentException($"Embedding '{Name}' expects token ids [batch, time]; received [{Tensor.FormatShape(input.Shape)}].", nameof(input));
        int B = input.Dim(0), T = input.Dim(1), D = Dimension;
        var ids = input.Span;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if (!(id >= 0 && id < VocabularySize) || id != MathF.Floor(id)) throw BadId(id, i, T);
        }
        _ids = input;
        var y = Ensure(ref _output, B, T, D).Span;
        var w = _weight!.Value.Span;
        _dropping = training && Dropout > 0f;
        if (_dropping)
        {
            var scales = Ensure(ref _rowScales, VocabularySize).Span;
            if (!_rowScalesFixed)
            {
                var keep = 1f / (1f - Dropout);
                for (var v = 0; v < scales.Length; v++) scales[v] = _dropoutRng!.NextDouble() < Dropout ? 0f : keep;
            }
            for (var i = 0; i < ids.Length; i++)
            {
                var id = (int)ids[i];
                System.Numerics.Tensors.TensorPrimitives.Multiply(w.Slice(id * D, D), scales[id], y.Slice(i * D, D));
            }
            return _output!;
        }
        for (var i = 0; i < ids.Length; i++) w.Slice((int)ids[i] * D, D).CopyTo(y.Slice(i * D, D));
        return _output!;
    }

    ArgumentException BadId(float id, int index, int steps) => new(
        $"Embedding '{Name}' expects whole-number ids in [0, {VocabularySize - 1}]; received {id} at [batch {index / steps}, step {index % steps}].");

    /// <summary>The padding mask: 1 where the id is not 0 (none without <see cref="MaskZero"/>).</summary>
    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask)
    {
        if (!MaskZero) return null;
        var m = Ensure(ref _mask, input.Shape).Span;
        var ids = input.Span;
        for (var i = 0; i < ids.Length; i++) m[i] = ids[i] == 0f ? 0f : 1f;
        return _mask;
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_ids is null || _output is null) throw NoForward();
        CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        var D = Dimension;
        var ids = _ids.Span;
        var dW = _weight!.Gradient.Span;
        var dY = dOutput.Span;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = (int)ids[i];
            if (id == 0 && MaskZero) continue;
            var row = dW.Slice(id * D, D);
            if (_dropping) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(dY.Slice(i * D, D), _rowScales!.Span[id], row, row);
            else Kernels.Add(dY.Slice(i * D, D), row);
        }
        return Ensure(ref _dInput, _ids.Shape);
    }
}
