// QuantileLoss: the pinball loss of several quantiles at once, for probabilistic forecasts (quantile regression).
namespace LstmSharp.Losses;

/// <summary>
/// The quantile (pinball) loss of Koenker and Bassett: for quantile τ and error <c>u = y − p</c>,
/// <c>ρ_τ(u) = max(τ·u, (τ − 1)·u)</c>, whose minimiser is the τ-quantile of y. Each row of the predictions holds
/// <see cref="Quantiles"/>.Length predictions per target value, target-major (<c>[y₁: τ₁ … τ_Q, y₂: τ₁ … τ_Q, …]</c>),
/// so the predictions' last axis is Q times the targets'; the row's loss is the mean over all its predictions (as
/// pytorch-forecasting's <c>QuantileLoss</c> and GluonTS's per-quantile mean). At <c>u = 0</c> the gradient is the
/// mean of the two sides, <c>τ − ½</c> (what PyTorch gives <c>torch.maximum</c> at a tie).
/// </summary>
public sealed class QuantileLoss : Loss
{
    readonly float[] _quantiles;

    /// <summary>The loss of the given quantiles, each in (0, 1), strictly increasing.</summary>
    /// <exception cref="ArgumentException">No quantiles, one outside (0, 1), or not increasing.</exception>
    public QuantileLoss(IReadOnlyList<float> quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        if (quantiles.Count == 0) throw new ArgumentException("A quantile loss needs at least one quantile.", nameof(quantiles));
        for (var q = 0; q < quantiles.Count; q++)
        {
            if (!(quantiles[q] > 0f && quantiles[q] < 1f))
                throw new ArgumentException($"Quantiles must lie in (0, 1); quantile {q + 1} is {quantiles[q]}.", nameof(quantiles));
            if (q > 0 && !(quantiles[q] > quantiles[q - 1]))
                throw new ArgumentException($"Quantiles must be strictly increasing; {quantiles[q]} follows {quantiles[q - 1]}.", nameof(quantiles));
        }
        _quantiles = [.. quantiles];
    }

    /// <summary>The quantiles, increasing.</summary>
    public IReadOnlyList<float> Quantiles => _quantiles;

    /// <inheritdoc />
    public override string Name => "quantile";

    /// <summary>Targets have the predictions' shape with a last axis Q times smaller.</summary>
    protected override void CheckTarget(Tensor predicted, Tensor target)
    {
        var q = _quantiles.Length;
        var width = predicted.Dim(-1);
        var expected = predicted.Shape.ToArray();
        expected[^1] = width / q;
        if (width % q != 0 || !target.Shape.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"{nameof(QuantileLoss)} of {q} quantiles needs predictions whose last axis holds {q} values per target and targets shaped [{Tensor.FormatShape(expected)}]; " +
                $"received predictions [{Tensor.FormatShape(predicted.Shape)}] and targets [{Tensor.FormatShape(target.Shape)}].", nameof(target));
        }
    }

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
    {
        var q = _quantiles.Length;
        var n = predicted.Length;
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            double tau = _quantiles[i % q];
            double u = target[i / q] - (double)predicted[i];
            sum += Math.Max(tau * u, (tau - 1) * u);
            // ∂ρ/∂p = −τ above the prediction, 1 − τ below it, ½ − τ at it.
            dPredicted[i] = (float)((u > 0 ? -tau : u < 0 ? 1 - tau : 0.5 - tau) / n);
        }
        return sum / n;
    }
}
