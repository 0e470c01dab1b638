// Masking: marks the steps whose features all equal a padding value, so recurrent layers skip them.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// For inputs <c>[batch, time, features]</c>, a step is padding when every feature equals
/// <see cref="MaskValue"/> (Keras's <c>Masking</c>). The output is the input with padding steps zeroed, and
/// the layer emits the mask for the layers after it.
/// </summary>
public sealed class Masking : Layer
{
    Tensor? _output;  // [B, T, F]
    Tensor? _mask;    // [B, T]
    Tensor? _dInput;  // [B, T, F]

    /// <summary>A masking layer for padding value <paramref name="maskValue"/> (default 0).</summary>
    public Masking(float maskValue = 0f, string? name = null)
        : base(name) => MaskValue = maskValue;

    /// <summary>The padding value.</summary>
    public float MaskValue { get; }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => inputShape.ToArray();

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json) => json.WriteNumber("mask_value", MaskValue);

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 2)
            throw new ArgumentException($"Masking '{Name}' expects inputs [batch, time, features]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
    }

    /// <inheritdoc />
    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => true;

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng) => OutputShapeFor(inputShape);

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        CheckShape(input, [-1, -1, -1], "input [batch, time, features]", "Masking works on sequences.");
        int B = input.Dim(0), T = input.Dim(1), F = input.Dim(2);
        var x = input.Span;
        var y = Ensure(ref _output, B, T, F).Span;
        var m = Ensure(ref _mask, B, T).Span;
        for (var r = 0; r < B * T; r++)
        {
            var step = x.Slice(r * F, F);
            var real = step.ContainsAnyExcept(MaskValue);
            m[r] = real ? 1f : 0f;
            if (real) step.CopyTo(y.Slice(r * F, F));
            else y.Slice(r * F, F).Clear();
        }
        if (InputMask is { } given)
            for (var r = 0; r < B * T; r++) m[r] *= given.Span[r];
        return _output!;
    }

    /// <inheritdoc />
    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => _mask;

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_output is null || _mask is null) throw NoForward();
        CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        var F = _output.Dim(2);
        var dx = Ensure(ref _dInput, _output.Shape).Span;
        var dy = dOutput.Span;
        var m = _mask.Span;
        for (var r = 0; r < m.Length; r++)
        {
            if (m[r] != 0f) dy.Slice(r * F, F).CopyTo(dx.Slice(r * F, F));
            else dx.Slice(r * F, F).Clear();
        }
        return _dInput!;
    }
}
