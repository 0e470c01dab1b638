// SpatialDropout1D: variational ("locked") dropout between layers — one mask per sequence over the features, the
// same at every step (Keras's SpatialDropout1D, AWD-LSTM's LockedDropout).
namespace LstmSharp.Layers;

/// <summary>
/// Dropout of whole features of a sequence <c>[batch, time, features]</c>: in training each sequence draws one mask
/// over its features, zeroing a feature with probability <see cref="Dropout.Rate"/> at every time step and scaling
/// the kept ones by 1/(1 − rate); at inference it passes the input through. Merity et al. 2018 (AWD-LSTM,
/// <c>LockedDropout</c>) use 0.4 on the embeddings' output, 0.25 between LSTM layers and 0.4 on the last LSTM's
/// output. The input's padding mask passes through, as with <see cref="Dropout"/>.
/// </summary>
public sealed class SpatialDropout1D : Dropout
{
    /// <summary>Locked dropout with drop probability <paramref name="rate"/> in [0, 1), its masks seeded by <paramref name="seed"/>.</summary>
    public SpatialDropout1D(float rate, int seed = 0, string? name = null)
        : base(rate, seed, name, perSequence: true)
    {
    }

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 2)
        {
            throw new ArgumentException(
                $"SpatialDropout1D '{Name}' expects inputs [batch, time, features]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
        }
    }
}
