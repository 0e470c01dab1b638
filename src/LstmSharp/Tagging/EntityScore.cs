// EntityScore: span counts and the precision, recall and F1 made of them, as conlleval prints them.
namespace LstmSharp.Tagging;

/// <summary>
/// Entity-level counts for one type or for all: <paramref name="Gold"/> spans, <paramref name="Predicted"/> spans and
/// <paramref name="Correct"/> predicted spans (same type, start and end as a gold span). The ratios are in [0, 1]
/// (conlleval prints 100 ×) and are 0 when undefined, as conlleval's: precision with no predicted span, recall with
/// no gold span, F1 when precision + recall is 0.
/// </summary>
/// <param name="Gold">Spans in the gold tags.</param>
/// <param name="Predicted">Spans in the predicted tags.</param>
/// <param name="Correct">Predicted spans that equal a gold span.</param>
public readonly record struct EntityScore(int Gold, int Predicted, int Correct)
{
    /// <summary>Correct / Predicted, or 0 when nothing was predicted.</summary>
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;

    /// <summary>Correct / Gold, or 0 when there is no gold span.</summary>
    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;

    /// <summary>The harmonic mean 2PR / (P + R), or 0 when P + R is 0.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}
