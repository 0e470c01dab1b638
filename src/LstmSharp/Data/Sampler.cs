// Sampler: the next token from a row of logits or probabilities — temperature, top-k, nucleus (top-p), draw.
using System.Buffers;
using LstmSharp.Kernels;

namespace LstmSharp.Data;

/// <summary>
/// Draws token ids from a model's output row (<see cref="SamplingOptions"/> says how). <see cref="TokenSampler"/>
/// is the seeded, allocation-free form for generation loops; these static methods take a <see cref="Random"/>
/// or return the distribution a draw is made from.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// Writes the distribution a token is drawn from — after temperature, top-k and top-p, renormalised — to
    /// <paramref name="probabilities"/> (as long as <paramref name="scores"/>; filtered tokens get 0).
    /// </summary>
    public static void Distribution(ReadOnlySpan<float> scores, SamplingOptions options, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (probabilities.Length != scores.Length)
            throw new ArgumentException($"Sampler: 'probabilities' must have one entry per score ({scores.Length}); received {probabilities.Length}.", nameof(probabilities));
        var order = ArrayPool<int>.Shared.Rent(scores.Length);
        var keys = ArrayPool<float>.Shared.Rent(scores.Length);
        try
        {
            var total = Filter(scores, options, probabilities, order, keys);
            for (var i = 0; i < probabilities.Length; i++) probabilities[i] = (float)(probabilities[i] / total);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    /// <summary>Draws a token id from <paramref name="scores"/> as <paramref name="options"/> say, with <paramref name="random"/>.</summary>
    public static int Sample(ReadOnlySpan<float> scores, SamplingOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var weights = ArrayPool<float>.Shared.Rent(scores.Length);
        var order = ArrayPool<int>.Shared.Rent(scores.Length);
        var keys = ArrayPool<float>.Shared.Rent(scores.Length);
        try
        {
            var w = weights.AsSpan(0, scores.Length);
            return Draw(w, Filter(scores, options, w, order, keys), random.NextDouble());
        }
        finally
        {
            ArrayPool<float>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    /// <summary>
    /// Fills <paramref name="weights"/> with the unnormalised weights of the filtered distribution and returns their
    /// sum. <paramref name="order"/> and <paramref name="keys"/> are scratch, at least as long as the scores.
    /// </summary>
    internal static double Filter(ReadOnlySpan<float> scores, SamplingOptions options, Span<float> weights, Span<int> order, Span<float> keys)
    {
        var n = scores.Length;
        if (n == 0) throw new ArgumentException("Sampler: there are no scores to sample from.", nameof(scores));
        Check(scores, options.FromLogits);
        weights = weights[..n];

        if (options.Temperature == 0f || float.IsInfinity(1f / options.Temperature))
        {
            var best = 0;
            for (var i = 1; i < n; i++) if (scores[i] > scores[best]) best = i;
            weights.Clear();
            weights[best] = 1f;
            return 1.0;
        }

        // Weights proportional to softmax(logits / T), or probabilities^(1/T) (the same, with logits = log p).
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = MathF.Max(max, s);
        if (options.FromLogits)
        {
            // The logits over T (shifted by the largest first, as before: the kernel's own shift is then exactly 0).
            var invT = 1f / options.Temperature;
            for (var i = 0; i < n; i++) weights[i] = (scores[i] - max) * invT;
            KernelSet.Default.SoftMax(weights, 1, n, weights);
        }
        else if (options.Temperature == 1f)
        {
            scores.CopyTo(weights);
        }
        else
        {
            var invT = 1.0 / options.Temperature;
            for (var i = 0; i < n; i++) weights[i] = (float)Math.Pow(scores[i] / max, invT);
        }
        double total = 0;
        foreach (var w in weights) total += w;

        var k = options.TopK is > 0 and var topK && topK < n ? topK : n;
        if (k == n && options.TopP >= 1f) return total;

        // Most likely first; keep the top k, then the shortest prefix of those reaching TopP of their mass.
        order = order[..n];
        keys = keys[..n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            keys[i] = -weights[i];
        }
        keys.Sort(order);
        double topMass = 0;
        for (var j = 0; j < k; j++) topMass += weights[order[j]];
        var kept = k;
        if (options.TopP < 1f)
        {
            // A set that reaches p to six digits counts, so float rounding of the scores cannot add a token.
            var target = options.TopP * topMass * (1 - 1e-6);
            double cumulative = 0;
            for (var j = 0; j < k; j++)
            {
                cumulative += weights[order[j]];
                if (cumulative >= target)
                {
                    kept = j + 1;
                    break;
                }
            }
        }
        total = 0;
        for (var j = 0; j < kept; j++) total += weights[order[j]];
        for (var j = kept; j < n; j++) weights[order[j]] = 0f;
        return total;
    }

    /// <summary>The token whose cumulative weight first exceeds <paramref name="uniform"/> · total (inverse CDF in id order).</summary>
    internal static int Draw(ReadOnlySpan<float> weights, double total, double uniform)
    {
        var target = uniform * total;
        double cumulative = 0;
        var last = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0f) continue;
            cumulative += weights[i];
            last = i;
            if (target < cumulative) return i;
        }
        return last;   // rounding left the target a hair past the sum: the last token with weight
    }

    static void Check(ReadOnlySpan<float> scores, bool fromLogits)
    {
        var any = false;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (fromLogits ? float.IsNaN(s) || float.IsPositiveInfinity(s) : !(s >= 0f && float.IsFinite(s)))
            {
                throw new ArgumentException(
                    fromLogits
                        ? $"Sampler: logit {i} is {s}; logits must be finite or −∞."
                        : $"Sampler: probability {i} is {s}; probabilities must be finite and non-negative (set FromLogits for logits).",
                    nameof(scores));
            }
            any |= fromLogits ? float.IsFinite(s) : s > 0f;
        }
        if (!any)
        {
            throw new ArgumentException(
                fromLogits ? "Sampler: every logit is −∞; at least one token must be possible." : "Sampler: every probability is 0; at least one token must be possible.",
                nameof(scores));
        }
    }
}
