// TokenSampler: a seeded sampler of token ids that allocates nothing once its buffers fit the vocabulary.
using LstmSharp.Internals;

namespace LstmSharp.Data;

/// <summary>
/// Draws token ids from rows of logits or probabilities (see <see cref="SamplingOptions"/>) with its own random
/// generator: the same seed gives the same tokens on every machine and .NET version. Not thread-safe.
/// </summary>
public sealed class TokenSampler
{
    readonly Rng _rng;
    float[] _weights = [];
    float[] _keys = [];
    int[] _order = [];

    /// <summary>A sampler whose draws are fixed by <paramref name="seed"/>.</summary>
    public TokenSampler(int seed) => _rng = new Rng(seed);

    /// <summary>
    /// Draws a token id from <paramref name="scores"/> (one per token, e.g. the last step of a model's output) as
    /// <paramref name="options"/> say (default: probabilities, drawn unchanged).
    /// </summary>
    public int Next(ReadOnlySpan<float> scores, SamplingOptions? options = null)
    {
        options ??= s_default;
        if (_weights.Length < scores.Length)
        {
            _weights = new float[scores.Length];
            _keys = new float[scores.Length];
            _order = new int[scores.Length];
        }
        var weights = _weights.AsSpan(0, scores.Length);
        var total = Sampler.Filter(scores, options, weights, _order, _keys);
        return Sampler.Draw(weights, total, _rng.NextDouble());
    }

    static readonly SamplingOptions s_default = new();
}
