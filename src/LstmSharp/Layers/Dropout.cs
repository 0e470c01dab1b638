// Dropout: inverted dropout (scale kept values by 1/(1−rate) in training, identity at inference), seeded; with one
// mask per sequence over the features it is SpatialDropout1D.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Inverted dropout: in training each value is zeroed with probability <see cref="Rate"/> and the rest are
/// scaled by 1/(1 − rate); at inference it passes the input through. The mask sequence is fixed by the seed.
/// </summary>
public class Dropout : Layer
{
    readonly Rng _rng;
    readonly bool _perSequence; // one mask [B, F] for every step of a [B, T, F] input (SpatialDropout1D)
    Tensor? _mask;     // scale per element (0 or 1/(1−rate)), or per sequence and feature [B, F]
    Tensor? _output;   // owned buffer for training outputs
    Tensor? _returned; // what the last forward returned (the input itself at inference)
    Tensor? _dInput;
    bool _lastTraining;

    /// <summary>Dropout with drop probability <paramref name="rate"/> in [0, 1).</summary>
    public Dropout(float rate, int seed = 0, string? name = null)
        : this(rate, seed, name, perSequence: false)
    {
    }

    /// <summary>Dropout whose mask is drawn per element, or once per sequence for all its steps.</summary>
    private protected Dropout(float rate, int seed, string? name, bool perSequence)
        : base(name)
    {
        Guard.Probability(rate);
        Rate = rate;
        Seed = seed;
        _rng = new Rng(seed);
        _perSequence = perSequence;
    }

    /// <summary>The seed of the mask sequence.</summary>
    public int Seed { get; }

    internal override IEnumerable<Rng> RandomGenerators() => [_rng];

    /// <summary>Probability of dropping a value in training.</summary>
    public float Rate { get; }

    /// <summary>The scales (0 or 1/(1−rate)) of the last training pass: per element, or <c>[batch, features]</c> per sequence; null at inference.</summary>
    internal Tensor? Mask => _lastTraining ? _mask : null;

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => inputShape.ToArray();

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteNumber("rate", Rate);
        json.WriteNumber("seed", Seed);
    }

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng) => OutputShapeFor(inputShape);

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        _lastTraining = training && Rate > 0f;
        if (!_lastTraining)
        {
            _returned = input;
            return input;
        }
        Span<float> mask;
        if (_perSequence)
        {
            // (the message is built only when the check fails, so a step allocates nothing)
            if (input.Rank != 3) CheckShape(input, [-1, -1, -1], "input [batch, time, features]", "It drops features with one mask per sequence.");
            mask = Ensure(ref _mask, input.Dim(0), input.Dim(2)).Span;
        }
        else
        {
            mask = Ensure(ref _mask, input.Shape).Span;
        }
        var scale = 1f / (1f - Rate);
        for (var i = 0; i < mask.Length; i++) mask[i] = _rng.NextDouble() < Rate ? 0f : scale;
        ApplyMask(input.Span, Ensure(ref _output, input.Shape).Span);
        _returned = _output;
        return _output!;
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_returned is null) throw NoForward();
        CheckShape(dOutput, _returned.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        if (!_lastTraining) return dOutput;
        ApplyMask(dOutput.Span, Ensure(ref _dInput, dOutput.Shape).Span);
        return _dInput!;
    }

    /// <summary><paramref name="y"/> = <paramref name="x"/> ⊙ mask; a per-sequence mask [B, F] repeats over the T steps of [B, T, F].</summary>
    void ApplyMask(ReadOnlySpan<float> x, Span<float> y)
    {
        var mask = _mask!.Span;
        if (!_perSequence)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(x, mask, y);
            return;
        }
        int B = _mask.Dim(0), F = _mask.Dim(1), T = B == 0 ? 0 : x.Length / (B * F);
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(x.Slice((b * T + t) * F, F), mask.Slice(b * F, F), y.Slice((b * T + t) * F, F));
    }
}
