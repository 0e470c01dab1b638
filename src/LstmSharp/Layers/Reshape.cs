// Reshape: one sample's shape changed without moving data (a view), e.g. [12, 4] → [48] or [6, 8].
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Gives each sample another shape with the same number of values, as Keras's <c>Reshape</c>; one entry of
/// <see cref="TargetShape"/> may be −1 (inferred). The output is a view of the input. Masks do not pass.
/// </summary>
public class Reshape : Layer
{
    Tensor? _lastInput, _output, _lastDOutput, _dInput;   // cached views, so repeated calls allocate nothing
    int[] _inputSample = [];

    /// <summary>Reshapes each sample to <paramref name="targetShape"/> (no batch axis; one entry may be −1).</summary>
    public Reshape(int[] targetShape, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Length == 0 || targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d == 0 || d < -1))
            throw new ArgumentException($"A target shape needs positive sizes and at most one −1; received [{Tensor.FormatShape(targetShape)}].", nameof(targetShape));
        TargetShape = (int[])targetShape.Clone();
    }

    /// <summary>The sample shape asked for (−1 = inferred).</summary>
    public IReadOnlyList<int> TargetShape { get; }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        if (this is Flatten) return;
        json.WriteStartArray("target_shape");
        foreach (var d in TargetShape) json.WriteNumberValue(d);
        json.WriteEndArray();
    }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape)
    {
        var shape = TargetShape.ToArray();
        var infer = Array.IndexOf(shape, -1);
        if (infer >= 0) shape[infer] = (int)(Count(inputShape) / Count(shape.Where(d => d > 0).ToArray()));
        return shape;
    }

    /// <summary>The product of the sizes; an overflow or a product beyond int.MaxValue is a bad shape.</summary>
    long Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        try
        {
            foreach (var d in shape) n = checked(n * d);
        }
        catch (OverflowException)
        {
            n = long.MaxValue;
        }
        return n <= int.MaxValue ? n
            : throw new ArgumentException($"{GetType().Name} '{Name}': [{Tensor.FormatShape(shape)}] holds more than {int.MaxValue} values per sample.");
    }

    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Any(d => d < 0))
            throw new ArgumentException($"{GetType().Name} '{Name}' needs every axis of the input known; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
        var known = Count(TargetShape.Where(d => d > 0).ToArray());
        var count = Count(inputShape);
        var fits = TargetShape.Contains(-1) ? count % known == 0 : count == known;
        if (!fits)
            throw new ArgumentException($"{GetType().Name} '{Name}' cannot reshape [batch, {Tensor.FormatShape(inputShape)}] ({count} values per sample) to [batch, {Tensor.FormatShape([.. TargetShape])}].");
    }

    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => false;

    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => null;

    private protected override int[] OnBuild(int[] inputShape, Rng rng)
    {
        _inputSample = inputShape;
        return OutputShapeFor(inputShape);
    }

    private protected override Tensor OnForward(Tensor input, bool training)
    {
        if (input.Rank != _inputSample.Length + 1 || !input.Shape[1..].SequenceEqual(_inputSample))
            CheckShape(input, [-1, .. _inputSample], "input", "Check the previous layer's output shape.");
        if (!ReferenceEquals(input, _lastInput) || _output is null || _output.Dim(0) != input.Dim(0))
            (_lastInput, _output) = (input, input.Reshape([input.Dim(0), .. OutputShapeFor(_inputSample)]));
        return _output;
    }

    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_output is null) throw NoForward();
        CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        if (!ReferenceEquals(dOutput, _lastDOutput) || _dInput is null || _dInput.Dim(0) != dOutput.Dim(0))
            (_lastDOutput, _dInput) = (dOutput, dOutput.Reshape([dOutput.Dim(0), .. _inputSample]));
        return _dInput;
    }
}
