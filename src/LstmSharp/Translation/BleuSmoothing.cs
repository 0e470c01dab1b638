// BleuSmoothing: what a zero n-gram precision becomes (Chen & Cherry 2014, as NLTK's SmoothingFunction numbers them).
namespace LstmSharp.Translation;

/// <summary>How <see cref="Bleu"/> treats an order whose clipped match count is 0.</summary>
public enum BleuSmoothing
{
    /// <summary>No smoothing (NLTK <c>method0</c>): a zero precision makes the geometric mean, and BLEU, 0.</summary>
    None,

    /// <summary>NLTK <c>method1</c>: a zero match count becomes <see cref="BleuOptions.Epsilon"/>, p_n = ε / total_n.</summary>
    Epsilon,

    /// <summary>
    /// NLTK <c>method3</c>, mteval-v13a's NIST geometric smoothing (sacreBLEU's <c>exp</c>): the k-th order with
    /// zero matches (k = 1, 2, …) gets p_n = 1 / (2^k · total_n).
    /// </summary>
    Nist,
}
