// Lstm.Activations: the gates and states of every step of the last forward pass, read from the buffers the layer
// keeps for its backward pass — what Karpathy, Johnson & Fei-Fei (2015) plot to see what single cells track.
namespace LstmSharp.Layers;

public sealed partial class Lstm
{
    /// <summary>
    /// A copy of <paramref name="which"/> at every step of the last forward pass, <c>[batch, time, units]</c>, batch-first
    /// and in the input's time order (also for <see cref="RnnOptions.GoBackwards"/>, which processes the steps in reverse).
    /// At a padded step (a mask's 0) the cell and hidden state are the ones carried past it, and the gates are what the
    /// step computed without being used. Read-only: the layer's buffers are not touched.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass has run yet.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="which"/> is not a defined value.</exception>
    public Tensor Activations(LstmActivation which)
    {
        if (!Enum.IsDefined(which)) throw new ArgumentOutOfRangeException(nameof(which), which, $"Expected an LstmActivation (InputGate … Hidden); received {(int)which}.");
        if (_gates is null) throw new InvalidOperationException($"Lstm '{Name}' has not run a forward pass yet; there are no activations to read.");
        int T = Steps, B = Batch, H = Units;
        var result = Tensor.Zeros(B, T, H);   // [B, T, H]
        var y = result.Span;
        for (var t = 0; t < T; t++)
        {
            var time = Time(t);   // the input step that processing step t read
            for (var b = 0; b < B; b++)
            {
                ReadOnlySpan<float> source = which switch
                {
                    LstmActivation.Cell => State(1).Slice(((t + 1) * B + b) * H, H),
                    LstmActivation.Hidden => State(0).Slice(((t + 1) * B + b) * H, H),
                    _ => _gates.Span.Slice((t * B + b) * 4 * H + (int)which * H, H),   // [T, B, 4H] blocks i, f, g, o
                };
                source.CopyTo(y.Slice((b * T + time) * H, H));
            }
        }
        return result;
    }
}
