// Discriminative: ULMFiT's learning rates per layer group, each group's the next one's divided by a factor.
using LstmSharp.Layers;

namespace LstmSharp.Optimizers;

/// <summary>
/// Discriminative fine-tuning (Howard &amp; Ruder 2018, §3.2): lower layers, which hold more general features, learn
/// more slowly. ULMFiT's rule is η^(l−1) = η^l / 2.6 from the top group down.
/// </summary>
public static class Discriminative
{
    /// <summary>
    /// Sets <see cref="Layer.LearningRateMultiplier"/> of every layer in <paramref name="groups"/> (ordered from the input
    /// to the output): the last group gets 1, the one before 1/<paramref name="factor"/>, the one before that
    /// 1/<paramref name="factor"/>², and so on. Returns the multiplier of each group.
    /// </summary>
    public static float[] Apply(IReadOnlyList<Layer[]> groups, float factor = 2.6f)
    {
        CheckGroups(groups);
        if (!(factor > 0f && float.IsFinite(factor)))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor must be a positive finite number (ULMFiT uses 2.6); received {factor}.");
        var multipliers = new float[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            multipliers[g] = (float)Math.Pow(factor, g - (groups.Count - 1));
            foreach (var layer in groups[g]) layer.LearningRateMultiplier = multipliers[g];
        }
        return multipliers;
    }

    /// <summary>Throws unless <paramref name="groups"/> is a non-empty list of non-empty groups in which no layer appears twice.</summary>
    internal static void CheckGroups(IReadOnlyList<Layer[]> groups, string name = "groups")
    {
        ArgumentNullException.ThrowIfNull(groups, name);
        if (groups.Count == 0) throw new ArgumentException("Expected at least one layer group; received none.", name);
        var seen = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < groups.Count; g++)
        {
            if (groups[g] is not { Length: > 0 } group) throw new ArgumentException($"Layer group {g} is {(groups[g] is null ? "null" : "empty")}; every group needs at least one layer.", name);
            foreach (var layer in group)
            {
                if (layer is null) throw new ArgumentException($"Layer group {g} holds a null layer.", name);
                if (!seen.TryAdd(layer, g)) throw new ArgumentException($"Layer '{layer.Name}' is in group {seen[layer]} and in group {g}; put each layer in one group.", name);
            }
        }
    }
}
