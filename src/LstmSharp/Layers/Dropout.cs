// Dropout: inverted dropout (scale kept values by 1/(1−rate) in training, identity at inference), seeded.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Inverted dropout: in training each value is zeroed with probability <see cref="Rate"/> and the rest are
/// scaled by 1/(1 − rate); at inference it passes the input through. The mask sequence is fixed by the seed.
/// </summary>
public sealed class Dropout : Layer
{
    readonly Rng _rng;
    Tensor? _mask;     // scale per element: 0 or 1/(1−rate)
    Tensor? _output;   // owned buffer for training outputs
    Tensor? _returned; // what the last forward returned (the input itself at inference)
    Tensor? _dInput;
    bool _lastTraining;

    /// <summary>Dropout with drop probability <paramref name="rate"/> in [0, 1).</summary>
    public Dropout(float rate, int seed = 0, string? name = null)
        : base(name)
    {
        Guard.Probability(rate);
        Rate = rate;
        Seed = seed;
        _rng = new Rng(seed);
    }

    /// <summary>The seed of the mask sequence.</summary>
    public int Seed { get; }

    internal override IEnumerable<Rng> RandomGenerators() => [_rng];

    /// <summary>Probability of dropping a value in training.</summary>
    public float Rate { get; }

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
        var mask = Ensure(ref _mask, input.Shape).Span;
        var y = Ensure(ref _output, input.Shape).Span;
        var x = input.Span;
        var scale = 1f / (1f - Rate);
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = _rng.NextDouble() < Rate ? 0f : scale;
            y[i] = x[i] * mask[i];
        }
        _returned = _output;
        return _output!;
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_returned is null) throw NoForward();
        CheckShape(dOutput, _returned.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        if (!_lastTraining) return dOutput;
        var dx = Ensure(ref _dInput, dOutput.Shape).Span;
        var dy = dOutput.Span;
        var mask = _mask!.Span;
        for (var i = 0; i < dx.Length; i++) dx[i] = dy[i] * mask[i];
        return _dInput!;
    }
}
