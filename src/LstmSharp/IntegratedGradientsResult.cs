// IntegratedGradientsResult: what Model.IntegratedGradients gives — an attribution per element of the activation
// explained, the output at the point and at the baseline, and how far the attributions are from adding up to their difference.
namespace LstmSharp;

/// <summary>Integrated-gradients attributions (see <see cref="Model.IntegratedGradients"/>).</summary>
/// <param name="Attributions">One attribution per element of the explained activation, <c>[1, …]</c> as its value; zero at padded steps.</param>
/// <param name="Output">F(x): the explained output value at the activation's own value.</param>
/// <param name="BaselineOutput">F(x′): the output at the baseline (zero at the real steps).</param>
/// <param name="Steps">The number of trapezoid intervals m (m + 1 path points).</param>
public sealed record IntegratedGradientsResult(Tensor Attributions, double Output, double BaselineOutput, int Steps)
{
    /// <summary>The sum of the attributions.</summary>
    public double Sum
    {
        get
        {
            double sum = 0;
            foreach (var v in Attributions.Span) sum += v;
            return sum;
        }
    }

    /// <summary>
    /// Σ attributions − (F(x) − F(x′)): zero for exact integration (the completeness axiom); what remains is the
    /// quadrature error, which shrinks as <see cref="Steps"/> grows.
    /// </summary>
    public double CompletenessGap => Sum - (Output - BaselineOutput);
}
