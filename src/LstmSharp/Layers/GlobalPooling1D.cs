// GlobalMaxPooling1D and GlobalAveragePooling1D: [batch, time, features] → [batch, features], the maximum or the
// mean of each feature over the real (unmasked) steps — with the last state, ULMFiT's "concat pooling" head.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// The shared part of the global poolings over time: inputs <c>[batch, time, features]</c>, outputs
/// <c>[batch, features]</c>, padded steps (mask 0) left out, no mask passed on. A sequence with no real step pools to
/// zeros.
/// </summary>
public abstract class GlobalPooling1D : Layer
{
    Tensor? _output, _dInput;

    private protected GlobalPooling1D(string? name)
        : base(name)
    {
    }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => [inputShape[^1]];

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
    }

    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 2 || inputShape[1] <= 0)
            throw new ArgumentException($"{GetType().Name} '{Name}' expects inputs [batch, time, features]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
    }

    private protected override bool OutputHasMask(int[] inputShape, bool inputHasMask) => false;

    private protected override Tensor? PropagateMask(Tensor input, Tensor? mask) => null;

    private protected override int[] OnBuild(int[] inputShape, Rng rng) => OutputShapeFor(inputShape);

    /// <summary>Steps of the last forward's input.</summary>
    private protected int Steps { get; private set; }

    /// <summary>Batch, steps and features of an input, after checking its shape; the steps are kept for the backward pass.</summary>
    private protected (int B, int T, int F) Dims(Tensor input)
    {
        CheckShape(input, [-1, -1, InputShape![1]], "input [batch, time, features]", "Global pooling reads one sequence per sample.");
        Steps = input.Dim(1);
        return (input.Dim(0), input.Dim(1), input.Dim(2));
    }

    private protected static bool IsReal(ReadOnlySpan<float> mask, int b, int steps, int t) => mask.IsEmpty || mask[b * steps + t] != 0f;

    private protected Tensor Output(int B, int F) => Ensure(ref _output, B, F);

    /// <summary>The input gradient of the last forward's shape, zeroed, with its batch and features, after checking <paramref name="dOutput"/>.</summary>
    private protected (Tensor Dx, int B, int F) InputGradient(Tensor dOutput)
    {
        if (_output is null) throw NoForward();
        int B = _output.Dim(0), F = _output.Dim(1);
        if (dOutput.Length != B * F)
            throw new ArgumentException($"{GetType().Name} '{Name}': the output gradient must be [{B}, {F}] like the last output; received {dOutput.Length} values.");
        var dx = Ensure(ref _dInput, B, Steps, F);
        dx.Span.Clear();
        return (dx, B, F);
    }
}

/// <summary>
/// The maximum of each feature over the real steps, as Keras's <c>GlobalMaxPooling1D</c> (which, unlike this layer,
/// ignores a mask): <c>[*, T, F] → [*, F]</c>. The gradient goes to the step that held the maximum (the first such
/// step on a tie).
/// </summary>
public sealed class GlobalMaxPooling1D(string? name = null) : GlobalPooling1D(name)
{
    int[] _argmax = [];   // [B, F]: the step of each maximum, −1 for a sequence without real steps

    private protected override Tensor OnForward(Tensor input, bool training)
    {
        var (B, T, F) = Dims(input);
        var y = Output(B, F).Span;
        if (_argmax.Length < B * F) _argmax = new int[B * F];
        var x = input.Span;
        var mask = InputMask is { } m ? m.Span : [];
        for (var b = 0; b < B; b++)
        {
            var best = y.Slice(b * F, F);
            var at = _argmax.AsSpan(b * F, F);
            at.Fill(-1);
            best.Clear();
            for (var t = 0; t < T; t++)
            {
                if (!IsReal(mask, b, T, t)) continue;
                var row = x.Slice((b * T + t) * F, F);
                for (var f = 0; f < F; f++)
                {
                    if (at[f] < 0 || row[f] > best[f])
                    {
                        best[f] = row[f];
                        at[f] = t;
                    }
                }
            }
        }
        return Output(B, F);
    }

    private protected override Tensor OnBackward(Tensor dOutput)
    {
        var (dx, B, F) = InputGradient(dOutput);
        var d = dx.Span;
        var dy = dOutput.Span;
        for (var b = 0; b < B; b++)
        {
            for (var f = 0; f < F; f++)
            {
                var t = _argmax[b * F + f];
                if (t >= 0) d[(b * Steps + t) * F + f] = dy[b * F + f];
            }
        }
        return dx;
    }
}

/// <summary>
/// The mean of each feature over the real steps, as Keras's <c>GlobalAveragePooling1D</c> with a mask:
/// <c>[*, T, F] → [*, F]</c>.
/// </summary>
public sealed class GlobalAveragePooling1D(string? name = null) : GlobalPooling1D(name)
{
    float[] _scale = [];   // [B]: 1 / real steps (0 for none)
    Tensor? _mask;

    private protected override Tensor OnForward(Tensor input, bool training)
    {
        var (B, T, F) = Dims(input);
        var y = Output(B, F).Span;
        if (_scale.Length < B) _scale = new float[B];
        _mask = InputMask;
        var x = input.Span;
        var mask = _mask is { } m ? m.Span : [];
        y.Clear();
        for (var b = 0; b < B; b++)
        {
            var sum = y.Slice(b * F, F);
            var count = 0;
            for (var t = 0; t < T; t++)
            {
                if (!IsReal(mask, b, T, t)) continue;
                Kernels.Add(x.Slice((b * T + t) * F, F), sum);
                count++;
            }
            _scale[b] = count == 0 ? 0f : 1f / count;
            for (var f = 0; f < F; f++) sum[f] *= _scale[b];
        }
        return Output(B, F);
    }

    // ∂loss/∂x[b, t] = ∂loss/∂y[b] / (real steps of b) at every real step t, 0 at padded ones
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        var (dx, B, F) = InputGradient(dOutput);
        var d = dx.Span;
        var dy = dOutput.Span;
        var mask = _mask is { } m ? m.Span : [];
        for (var b = 0; b < B; b++)
        {
            for (var t = 0; t < Steps; t++)
            {
                if (!IsReal(mask, b, Steps, t)) continue;
                var row = d.Slice((b * Steps + t) * F, F);
                for (var f = 0; f < F; f++) row[f] = dy[b * F + f] * _scale[b];
            }
        }
        return dx;
    }
}
