// TextActivations: one LSTM layer's gate or state values at every token of a text (LanguageModel.Activations).
using LstmSharp.Layers;

namespace LstmSharp.Text;

/// <summary>What one LSTM layer of a language model did at every token of a text.</summary>
/// <param name="Text">The text read.</param>
/// <param name="Tokens">Its tokens, in order.</param>
/// <param name="Layer">The LSTM layer (0 = the first).</param>
/// <param name="Which">The quantity read.</param>
/// <param name="Values">The values, <c>[tokens, units]</c>.</param>
public sealed record TextActivations(string Text, IReadOnlyList<LocatedToken> Tokens, int Layer, LstmActivation Which, Tensor Values)
{
    /// <summary>
    /// The <paramref name="count"/> units whose values vary most over the text (largest standard deviation first), with
    /// that standard deviation — the cells worth looking at.
    /// </summary>
    public IReadOnlyList<(int Unit, double StandardDeviation)> MostVarying(int count)
    {
        Internals.Guard.Positive(count);
        int T = Values.Dim(0), H = Values.Dim(1);
        var v = Values.Span;
        var spread = new (int Unit, double StandardDeviation)[H];
        for (var j = 0; j < H; j++)
        {
            double sum = 0, squares = 0;
            for (var t = 0; t < T; t++)
            {
                double x = v[t * H + j];
                sum += x;
                squares += x * x;
            }
            var mean = sum / T;
            spread[j] = (j, Math.Sqrt(Math.Max(0, squares / T - mean * mean)));
        }
        return [.. spread.OrderByDescending(s => s.StandardDeviation).ThenBy(s => s.Unit).Take(count)];
    }
}

/// <summary>A token of a text and where it stands in it.</summary>
/// <param name="Token">The token as the tokenizer made it.</param>
/// <param name="Range">Where it stands in the text (<c>text[Range]</c>); null when the tokenizer cannot say.</param>
public sealed record LocatedToken(string Token, Range? Range);
