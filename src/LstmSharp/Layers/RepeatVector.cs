// RepeatVector: [batch, features] → [batch, n, features], e.g. a sentence encoding fed to every decoder step.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>Repeats a vector <see cref="Count"/> times along a new time axis, as Keras's <c>RepeatVector</c>: <c>[*, F] → [*, n, F]</c>.</summary>
public sealed class RepeatVector : Layer
{
    Tensor? _output, _dInput;

    /// <summary>Repeats the input <paramref name="count"/> times.</summary>
    public RepeatVector(int count, string? name = null)
        : base(name)
    {
        Guard.Positive(count);
        Count = count;
    }

    /// <summary>The number of steps n.</summary>
    public int Count { get; }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json) => json.WriteNumber("count", Count);

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => [Count, .. inputShape];

    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 1 || inputShape[0] <= 0)
            throw new ArgumentException($"RepeatVector '{Name}' expects inputs [batch, features]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
    }

    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => false;

    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => null;

    private protected override int[] OnBuild(int[] inputShape, Rng rng) => OutputShapeFor(inputShape);

    private protected override Tensor OnForward(Tensor input, bool training)
    {
        CheckShape(input, [-1, InputShape![0]], "input [batch, features]", "RepeatVector takes one vector per sample.");
        int B = input.Dim(0), F = input.Dim(1);
        var y = Ensure(ref _output, B, Count, F).Span;
        var x = input.Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < Count; t++) x.Slice(b * F, F).CopyTo(y.Slice((b * Count + t) * F, F));
        return _output!;
    }

    // ∂loss/∂x = Σₜ ∂loss/∂yₜ
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_output is null) throw NoForward();
        CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        int B = _output.Dim(0), F = _output.Dim(2);
        var dx = Ensure(ref _dInput, B, F).Span;
        dx.Clear();
        var dy = dOutput.Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < Count; t++) Kernels.Add(dy.Slice((b * Count + t) * F, F), dx.Slice(b * F, F));
        return _dInput!;
    }
}
